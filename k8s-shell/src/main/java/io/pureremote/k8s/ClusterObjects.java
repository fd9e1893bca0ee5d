package io.pureremote.k8s;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.pureremote.ShellException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests a cluster shell makes about the objects it creates in one namespace, each through
 * one {@link ApiGate}: create with strict field validation, delete with foreground propagation
 * (the pods go with the object), list a call's pods, read a container's log, and ask which
 * versions a CRD serves. Reads that fail are answered empty (logged at debug): they feed watchdogs
 * and log tails, which try again at the next tick. Shared by the MPI and torch shells (public for
 * that reason). Thread-safe.
 */
public final class ClusterObjects {
  private static final Logger log = LoggerFactory.getLogger(ClusterObjects.class);

  private final KubernetesClient client;
  private final ApiGate gate;
  private final String namespace;

  /** Objects in {@code namespace}, requested through {@code client} under {@code gate}. */
  public ClusterObjects(KubernetesClient client, ApiGate gate, String namespace) {
    this.client = Objects.requireNonNull(client, "client");
    this.gate = Objects.requireNonNull(gate, "gate");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
  }

  /** The namespace the objects live in. */
  public String namespace() {
    return namespace;
  }

  /**
   * Creates {@code object} of {@code kind} (e.g. {@code client.batch().v1().jobs()}) with {@code
   * fieldValidation=Strict}: a field the server does not know is an error, never a silent drop.
   *
   * @param what the object for logs and errors, e.g. {@code MPIJob}
   * @throws KubernetesClientException when the server refuses it (see {@link #createFailed})
   */
  public <T extends HasMetadata, R extends Resource<T>> T create(String what, MixedOperation<T, ?, R> kind, T object)
      throws InterruptedException {
    return gate.call("create " + what + " " + namespace + "/" + object.getMetadata().getName(),
        () -> kind.inNamespace(namespace).resource(object).fieldValidation(Validation.STRICT).create());
  }

  /**
   * Deletes {@code name} of {@code kind} with foreground propagation. A 404 is fine (gone
   * already); any other failure is logged with the {@code kubectl delete} that cleans up.
   *
   * @param what the object for logs, e.g. {@code MPIJob}
   * @param kubectlType the type {@code kubectl delete} takes, e.g. {@code mpijob}
   * @param why why it is deleted, for the log
   */
  public void delete(String what, String kubectlType, MixedOperation<?, ?, ? extends Resource<?>> kind, String name,
      String why) {
    try {
      gate.call("delete " + what + " " + namespace + "/" + name, () -> kind.inNamespace(namespace).withName(name)
          .withPropagationPolicy(DeletionPropagation.FOREGROUND).delete());
      log.info("deleted {} {}/{} ({})", what, namespace, name, why);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        log.warn("Could not delete {} {}/{} ({}): {}. Delete it with `kubectl delete {} -n {} {}`.", what, namespace, name, why,
            ApiGate.describe(e), kubectlType, namespace, name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The pods carrying every label of {@code labels}; empty when they cannot be listed. */
  public List<Pod> pods(String of, Map<String, String> labels) {
    try {
      return gate.call("list pods of " + of, () -> client.pods().inNamespace(namespace).withLabels(labels).list().getItems());
    } catch (KubernetesClientException e) {
      log.debug("Listing the pods of {} failed: {}", of, ApiGate.describe(e));
      return List.of();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  /** The log of {@code pod}'s {@code container} so far; null when it cannot be read (yet). */
  public String log(String pod, String container) {
    try {
      return gate.call("get log of " + pod, () -> client.pods().inNamespace(namespace).withName(pod).inContainer(container)
          .getLog());
    } catch (KubernetesClientException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * The versions CRD {@code crdName} serves. Reading CRDs is cluster-scoped RBAC many users lack:
   * on 401/403 the answer comes from API discovery, open to every user, and then holds at most
   * {@code kind}'s version (when its plural is listed there).
   *
   * @throws KubernetesClientException any other failure, so that it is not remembered as "not served"
   */
  public List<String> servedVersions(String crdName, ResourceDefinitionContext kind) throws InterruptedException {
    try {
      CustomResourceDefinition crd = gate.call("get CRD " + crdName,
          () -> client.apiextensions().v1().customResourceDefinitions().withName(crdName).get());
      return crd == null || crd.getSpec() == null ? List.of() : crd.getSpec().getVersions().stream()
          .filter(v -> Boolean.TRUE.equals(v.getServed())).map(CustomResourceDefinitionVersion::getName).toList();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 401 && e.getCode() != 403) {
        throw e;
      }
      APIResourceList resources = client.getApiResources(kind.getGroup() + "/" + kind.getVersion());
      return resources != null && resources.getResources().stream().anyMatch(r -> kind.getPlural().equals(r.getName()))
          ? List.of(kind.getVersion()) : List.of();
    }
  }

  /**
   * The call's failure when the server refused to create {@code what} {@code name}: by status,
   * with the fix. Transient failures (after the gate's retries) are marked so.
   *
   * @param shell the shell for the options hint, e.g. {@code MPI}
   * @param rbac what the kube context must be allowed, e.g. {@code create/get/list/watch/delete on mpijobs.kubeflow.org}
   * @param notFound what a 404 may also mean, appended to "does namespace ... exist", or empty
   * @param unknownField the fix when strict validation refused a field, e.g. {@code upgrade the operator or drop the option}
   */
  public ShellException createFailed(KubernetesClientException e, String what, String name, String shell, String rbac,
      String notFound, String unknownField) {
    String object = what + " " + namespace + "/" + name;
    String why = ApiGate.describe(e);
    String message = switch (e.getCode()) {
      case 401, 403 -> "Not allowed to create " + object + " (" + why + "). The kube context needs RBAC " + rbac
          + " and get/list on pods and pods/log in namespace '" + namespace + "'.";
      case 404 -> "Cannot create " + object + " (" + why + "): does namespace '" + namespace + "' exist" + notFound + "?";
      case 400 -> "The API server rejected " + object + " (" + why + "). The shell creates it with strict field validation, "
          + "so a field this server does not know is an error instead of being dropped: " + unknownField + ".";
      case 422 -> "The API server rejected " + object + " as invalid (" + why + "). Check the " + shell + " shell options.";
      default -> "Cannot create " + object + " (" + why + ").";
    };
    ShellException failure = new ShellException("LaunchFailed", null, message, ApiGate.isTransient(e));
    failure.initCause(e);
    return failure;
  }
}

package io.pureremote.testing.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;
import io.fabric8.kubernetes.api.model.batch.v1.SuccessPolicyRule;
import io.pureremote.k8s.values.KubernetesValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API server's validation of the Jobs and Services the shells create (the single-call Job,
 * the batch Indexed Job, the torch backend's Indexed Job and headless Service), as the mock server
 * does none: the rules of {@code kubernetes/kubernetes} {@code pkg/apis/batch/validation}
 * ({@code validateJobSpec}, {@code validatePodFailurePolicy}, {@code validateSuccessPolicy}) and
 * {@code pkg/apis/core/validation} ({@code ValidateService}, {@code ValidateOwnerReferences}, the
 * pod's hostname/subdomain and env rules) that these objects touch. A test kit, not a validator
 * for every Job.
 */
public final class ApiServerJobRules {
  private ApiServerJobRules() {}

  private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
  private static final Pattern INDEX_INTERVALS = Pattern.compile("\\d+(-\\d+)?(,\\d+(-\\d+)?)*");
  private static final Pattern FIELD_PATH = Pattern.compile(
      "metadata\\.(name|namespace|uid)|metadata\\.(annotations|labels)\\['[^']+'\\]|spec\\.(nodeName|serviceAccountName)"
          + "|status\\.(hostIP|podIP|podIPs|hostIPs)");

  /**
   * What the API server would refuse in {@code job}, as one line per problem; empty when it
   * accepts the Job (as far as these rules go).
   */
  public static List<String> jobProblems(Job job) {
    List<String> p = new ArrayList<>();
    String name = job.getMetadata().getName();
    if (!KubernetesValues.isDnsSubdomain(name)) {
      p.add("metadata.name " + name + " is not a DNS-1123 subdomain");
    }
    JobSpec spec = job.getSpec();
    boolean indexed = "Indexed".equals(spec.getCompletionMode());
    if (spec.getCompletionMode() != null && !Set.of("Indexed", "NonIndexed").contains(spec.getCompletionMode())) {
      p.add("completionMode " + spec.getCompletionMode());
    }
    Integer completions = spec.getCompletions();
    if (indexed && completions == null) {
      p.add("completions is required for Indexed");
    }
    if (indexed && completions != null && completions > 100_000) {
      p.add("completions over 10^5");
    }
    if (indexed && completions != null && !KubernetesValues.isDnsLabel(name + "-" + (completions - 1))) {
      p.add("the pods' hostname " + name + "-" + (completions - 1) + " is not a DNS label");
    }
    if (spec.getBackoffLimitPerIndex() != null && !indexed) {
      p.add("backoffLimitPerIndex requires Indexed");
    }
    if (spec.getMaxFailedIndexes() != null && spec.getBackoffLimitPerIndex() == null) {
      p.add("maxFailedIndexes requires backoffLimitPerIndex");
    }
    if (spec.getMaxFailedIndexes() != null && completions != null && spec.getMaxFailedIndexes() > completions) {
      p.add("maxFailedIndexes over completions");
    }
    if (spec.getSuccessPolicy() != null) {
      if (!indexed) {
        p.add("successPolicy requires Indexed");
      }
      List<SuccessPolicyRule> rules = spec.getSuccessPolicy().getRules();
      if (rules == null || rules.isEmpty() || rules.size() > 20) {
        p.add("successPolicy.rules must have 1 to 20 rules");
      } else {
        for (SuccessPolicyRule r : rules) {
          if (r.getSucceededIndexes() == null && r.getSucceededCount() == null) {
            p.add("a successPolicy rule needs succeededIndexes or succeededCount");
          }
          if (r.getSucceededIndexes() != null && (!INDEX_INTERVALS.matcher(r.getSucceededIndexes()).matches()
              || (completions != null && maxIndex(r.getSucceededIndexes()) >= completions))) {
            p.add("succeededIndexes " + r.getSucceededIndexes() + " is not ordered intervals in [0, completions)");
          }
        }
      }
    }
    String restart = spec.getTemplate().getSpec().getRestartPolicy();
    if (!Set.of("Never", "OnFailure").contains(String.valueOf(restart))) {
      p.add("template restartPolicy must be Never or OnFailure, got " + restart);
    }
    if (spec.getPodFailurePolicy() != null) {
      if (!"Never".equals(restart)) {
        p.add("podFailurePolicy requires restartPolicy Never");
      }
      if (!"Failed".equals(spec.getPodReplacementPolicy())) {
        p.add("podFailurePolicy requires podReplacementPolicy Failed");
      }
      List<PodFailurePolicyRule> rules = spec.getPodFailurePolicy().getRules();
      if (rules.size() > 20) {
        p.add("more than 20 podFailurePolicy rules");
      }
      List<String> containers = spec.getTemplate().getSpec().getContainers().stream().map(Container::getName).toList();
      for (PodFailurePolicyRule r : rules) {
        if (!Set.of("FailJob", "FailIndex", "Ignore", "Count").contains(r.getAction())) {
          p.add("podFailurePolicy action " + r.getAction());
        }
        if ("FailIndex".equals(r.getAction()) && spec.getBackoffLimitPerIndex() == null) {
          p.add("FailIndex requires backoffLimitPerIndex");
        }
        boolean codes = r.getOnExitCodes() != null;
        boolean conditions = r.getOnPodConditions() != null && !r.getOnPodConditions().isEmpty();
        if (codes == conditions) {
          p.add("a podFailurePolicy rule needs exactly one of onExitCodes and onPodConditions");
        }
        if (codes) {
          var c = r.getOnExitCodes();
          if (c.getContainerName() != null && !containers.contains(c.getContainerName())) {
            p.add("onExitCodes.containerName " + c.getContainerName() + " is not a container");
          }
          if (!Set.of("In", "NotIn").contains(c.getOperator()) || c.getValues().isEmpty() || c.getValues().size() > 255
              || ("In".equals(c.getOperator()) && c.getValues().contains(0))) {
            p.add("onExitCodes " + c);
          }
        }
        if (conditions && r.getOnPodConditions().stream().anyMatch(c -> !Set.of("True", "False", "Unknown").contains(c.getStatus()))) {
          p.add("onPodConditions status");
        }
      }
    }
    if (spec.getPodReplacementPolicy() != null && !Set.of("Failed", "TerminatingOrFailed").contains(spec.getPodReplacementPolicy())) {
      p.add("podReplacementPolicy " + spec.getPodReplacementPolicy());
    }
    String subdomain = spec.getTemplate().getSpec().getSubdomain();
    if (subdomain != null && !KubernetesValues.isDnsLabel(subdomain)) {
      p.add("subdomain " + subdomain + " is not a DNS label");
    }
    for (Container c : spec.getTemplate().getSpec().getContainers()) {
      for (EnvVar e : c.getEnv()) {
        if (!ENV_NAME.matcher(e.getName()).matches()) {
          p.add("env name " + e.getName());
        }
        if ((e.getValue() != null) == (e.getValueFrom() != null) && e.getValue() != null) {
          p.add("env " + e.getName() + " has both value and valueFrom");
        }
        if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null
            && !FIELD_PATH.matcher(e.getValueFrom().getFieldRef().getFieldPath()).matches()) {
          p.add("env " + e.getName() + " fieldPath " + e.getValueFrom().getFieldRef().getFieldPath() + " is not supported");
        }
      }
    }
    if (spec.getTemplate().getMetadata().getLabels().entrySet().stream()
        .anyMatch(l -> !KubernetesValues.isQualifiedKey(l.getKey()) || !KubernetesValues.isLabelValue(l.getValue()))) {
      p.add("a template label is not a valid key or value");
    }
    return p;
  }

  /**
   * What the API server would refuse in {@code service} (a headless Service owned by a Job), as
   * one line per problem; empty when it accepts it.
   */
  public static List<String> serviceProblems(Service service) {
    List<String> p = new ArrayList<>();
    if (!KubernetesValues.isDnsLabel(service.getMetadata().getName())) {
      p.add("a Service name must be a DNS-1035 label");
    }
    if (!"None".equals(service.getSpec().getClusterIP())) {
      p.add("not headless (clusterIP None)");
    }
    for (ServicePort port : service.getSpec().getPorts()) {
      if (port.getName() != null && !KubernetesValues.isDnsLabel(port.getName())) {
        p.add("port name " + port.getName());
      }
      if (port.getPort() == null || port.getPort() < 1 || port.getPort() > 65535) {
        p.add("port " + port.getPort());
      }
      if (!Set.of("TCP", "UDP", "SCTP").contains(port.getProtocol())) {
        p.add("protocol " + port.getProtocol());
      }
    }
    List<OwnerReference> owners = service.getMetadata().getOwnerReferences();
    if (owners.stream().filter(o -> Boolean.TRUE.equals(o.getController())).count() > 1) {
      p.add("more than one controller owner");
    }
    for (OwnerReference o : owners) {
      if (isBlank(o.getApiVersion()) || isBlank(o.getKind()) || isBlank(o.getName()) || isBlank(o.getUid())) {
        p.add("ownerReference needs apiVersion, kind, name and uid: " + o);
      }
    }
    return p;
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  private static int maxIndex(String intervals) {
    int max = -1;
    for (String part : intervals.split("[,-]")) {
      max = Math.max(max, Integer.parseInt(part));
    }
    return max;
  }
}

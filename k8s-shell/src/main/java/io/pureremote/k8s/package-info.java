/**
 * The Kubernetes shell: runs each Pure Remote call as a {@code batch/v1} Job whose container runs
 * the application image's entrypoint ({@code io.pureremote.RemoteMain}) with {@code run <memo
 * uri>}, and reports how the Job ended; the value always comes from the blob store.
 *
 * <pre>{@code
 * KubernetesShellOptions options = KubernetesShellOptions.builder()
 *     .namespace("ml-team").image("myregistry.azurecr.io/scoring/app:42")
 *     .memory("8Gi").toleration(Tolerations.spotAks()).build();
 * try (KubernetesShell shell = KubernetesShell.fromKubeConfig(options);
 *      RemoteRuntime runtime = RemoteRuntime.builder().blobRoot("s3://bucket/memo").shell(shell).build()) {
 *   Scoring scoring = runtime.create(Scoring.class, ScoringImpl.class);
 *   double s = scoring.score(cohort, params);
 * }
 * }</pre>
 *
 * <p>Public API: {@link io.pureremote.k8s.KubernetesShell}, {@link
 * io.pureremote.k8s.KubernetesShellOptions}, {@link io.pureremote.k8s.Tolerations}, {@link
 * io.pureremote.k8s.Images}, {@link io.pureremote.k8s.EnvReference}, {@link io.pureremote.k8s.InCluster} and the {@code kubernetes}
 * {@link io.pureremote.k8s.KubernetesShellProvider}; shared with the other cluster shells: {@link
 * io.pureremote.k8s.ClusterProbe} (first contact, version gate), {@link io.pureremote.k8s.ClusterFeatures},
 * {@link io.pureremote.k8s.ApiGate}, {@link io.pureremote.k8s.ClusterObjects} (create, delete, pods, logs, CRD
 * discovery), {@link io.pureremote.k8s.ClusterRun} (one call's object from creation to its outcome),
 * {@link io.pureremote.k8s.ClusterRuns} (the runs by name), {@link io.pureremote.k8s.ClusterShellOptions} and {@link
 * io.pureremote.k8s.ClusterShellSettings} (the shared options and their TOML keys),
 * {@link io.pureremote.k8s.ShellThreads}, {@link io.pureremote.k8s.KubeConfigs} and {@link
 * io.pureremote.k8s.PodSpecs}.
 * Everything else is package-private. See
 * {@code docs/kubernetes.md} for options, failure reasons and the test fixture.
 */
package io.pureremote.k8s;

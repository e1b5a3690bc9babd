{{/*
Naming and labels. Object names are "<name>-<component>" where <name> is .Values.name or,
when empty, the release name. These helpers mirror infra/cdk8s/src/constructs/common.ts so
that the chart and `cdk8s synth` produce the same objects (checked by tests/deploy).
*/}}
{{- define "snip.instance" -}}
{{- .Values.name | default .Release.Name -}}
{{- end }}

{{- define "snip.namespace" -}}
{{- .Values.namespace | default .Release.Namespace -}}
{{- end }}

{{/* Object name of a component: (dict "root" $ "component" "shortener") */}}
{{- define "snip.fullname" -}}
{{- printf "%s-%s" (include "snip.instance" .root) .component -}}
{{- end }}

{{- define "snip.selectorLabels" -}}
app.kubernetes.io/instance: {{ include "snip.instance" .root }}
app.kubernetes.io/name: {{ .component }}
{{- end }}

{{/* Pod template labels: stable across chart versions (no chart label) so upgrades do not roll pods needlessly. */}}
{{- define "snip.podLabels" -}}
{{ include "snip.selectorLabels" . }}
app.kubernetes.io/part-of: snip
{{- end }}

{{- define "snip.labels" -}}
{{ include "snip.podLabels" . }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end }}

{{/*
Argo CD sync wave of an object, from its kind and component: stageOf and STAGES in
infra/cdk8s/src/chart.ts. "-2" platform (stores, Collector, Jaeger, RBAC, every NetworkPolicy),
"-1" the migration Job, "0" the shortener and redirector. (dict "component" "redis"), with
"kind" "NetworkPolicy" for a policy (the kind decides nothing else).
*/}}
{{- define "snip.syncWave" -}}
{{- if eq (.kind | default "") "NetworkPolicy" -}}
-2
{{- else if eq .component "migrate" -}}
-1
{{- else if has .component (list "shortener" "redirector") -}}
0
{{- else -}}
-2
{{- end -}}
{{- end }}

{{/* Annotations of an object: its sync wave plus .annotations (a dict), sorted like cdk8s output. */}}
{{- define "snip.annotations" -}}
{{- $a := dict "argocd.argoproj.io/sync-wave" (include "snip.syncWave" .) -}}
{{- range $k, $v := (.annotations | default dict) }}
{{- $_ := set $a $k $v -}}
{{- end }}
{{- toYaml $a -}}
{{- end }}

{{/*
metadata of an object: (dict "root" $ "component" "shortener"), optionally with "kind" (see
snip.syncWave), "name" (default "<name>-<component>"), "annotations" (a dict added to the sync
wave) and "clusterScoped" true (no namespace).
*/}}
{{- define "snip.metadata" -}}
annotations:
  {{- include "snip.annotations" . | nindent 2 }}
labels:
  {{- include "snip.labels" . | nindent 2 }}
name: {{ .name | default (include "snip.fullname" .) }}
{{- if not .clusterScoped }}
namespace: {{ include "snip.namespace" .root }}
{{- end }}
{{- end }}

{{/* Container security context: (dict "uid" 10001) */}}
{{- define "snip.containerSecurity" -}}
allowPrivilegeEscalation: false
capabilities:
  drop:
    - ALL
privileged: false
readOnlyRootFilesystem: true
runAsGroup: {{ .uid }}
runAsNonRoot: true
runAsUser: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{- define "snip.podSecurity" -}}
fsGroup: {{ .uid }}
fsGroupChangePolicy: Always
runAsGroup: {{ .uid }}
runAsNonRoot: true
runAsUser: {{ .uid }}
{{- end }}

{{/* Pod-spec fields every workload shares: (dict "grace" 32); the grace period defaults to 30 s. */}}
{{- define "snip.podDefaults" -}}
dnsPolicy: ClusterFirst
hostNetwork: false
setHostnameAsFQDN: false
terminationGracePeriodSeconds: {{ .grace | default 30 }}
{{- end }}

{{/*
Bounded shutdown steps of a Snip process after SIGTERM, in ms (infra/cdk8s/src/shutdown.ts):
the HTTP server's close timeout (libs/common), the redirector's visit drain
(VISITS_DRAIN_TIMEOUT_MS, set explicitly) and its last visit batch started just before the drain
deadline, and the last span flush (libs/telemetry).
*/}}
{{- define "snip.serverCloseTimeoutMs" -}}10000{{- end }}
{{- define "snip.visitsDrainTimeoutMs" -}}15000{{- end }}
{{- define "snip.lastVisitBatchMs" -}}5000{{- end }}
{{- define "snip.telemetryFlushTimeoutMs" -}}10000{{- end }}

{{/*
terminationGracePeriodSeconds of an app: preStop sleep + ceil(every drain step / 1000) + 5 s
margin, as terminationGracePeriodSeconds() in infra/cdk8s/src/shutdown.ts.
(dict "root" $ "component" "redirector")
*/}}
{{- define "snip.terminationGracePeriodSeconds" -}}
{{- $s := .root.Values.shutdown -}}
{{- $drainMs := add (int $s.delayMs) (include "snip.serverCloseTimeoutMs" . | int) (include "snip.telemetryFlushTimeoutMs" . | int) -}}
{{- if eq .component "redirector" -}}
{{- $drainMs = add $drainMs (include "snip.visitsDrainTimeoutMs" . | int) (include "snip.lastVisitBatchMs" . | int) -}}
{{- end -}}
{{- add (int $s.preStopSeconds) (div (add $drainMs 999) 1000) 5 -}}
{{- end }}

{{/*
Name of the migration Job, "<name>-migrate-<image tag>" (migrationJobName in
infra/cdk8s/src/constructs/migration.ts): each new image runs the migrations once as a new Job.
The schema restricts the tag; the whole name must also fit a label value (the Job controller
labels its pods with it).
*/}}
{{- define "snip.migrationJobName" -}}
{{- $name := printf "%s-%s" (include "snip.fullname" (dict "root" . "component" "migrate")) .Values.image.tag -}}
{{- if gt (len $name) 63 -}}
{{- fail (printf "the migration Job name %q is longer than 63 characters: shorten the release name (or .Values.name) or image.tag" $name) -}}
{{- end -}}
{{- $name -}}
{{- end }}

{{/* httpGet probe: (dict "path" "/health/live" "port" 3000 "period" 10 "failure" 3) */}}
{{- define "snip.httpProbe" -}}
failureThreshold: {{ .failure | default 3 }}
httpGet:
  path: {{ .path }}
  port: {{ .port }}
  scheme: HTTP
initialDelaySeconds: 0
periodSeconds: {{ .period | default 10 }}
successThreshold: 1
timeoutSeconds: 2
{{- end }}

{{- define "snip.resources" -}}
limits:
  cpu: {{ .limits.cpu }}
  memory: {{ .limits.memory }}
requests:
  cpu: {{ .requests.cpu }}
  memory: {{ .requests.memory }}
{{- end }}

{{- define "snip.rollingUpdate" -}}
rollingUpdate:
  maxSurge: 25%
  maxUnavailable: 25%
type: RollingUpdate
{{- end }}

{{/* About 80 % of a memory limit given in Mi, for GOMEMLIMIT. */}}
{{- define "snip.goMemLimit" -}}
{{- div (mul (trimSuffix "Mi" . | atoi) 8) 10 }}MiB
{{- end }}

{{- define "snip.image" -}}
{{- printf "%s:%s" .repository .tag -}}
{{- end }}

{{/* Collector configuration files in load order (base, exporter, dataset, agent), as JSON. */}}
{{- define "snip.collectorFiles" -}}
{{- $files := list "collector.yaml" (printf "exporter-%s.yaml" .Values.collector.exporter) -}}
{{- if and (eq .Values.collector.exporter "dash0") .Values.dash0.dataset -}}
{{- $files = append $files "dash0-dataset.yaml" -}}
{{- end -}}
{{- if eq .Values.collector.mode "agent" -}}
{{- $files = append $files "agent.yaml" -}}
{{- end -}}
{{- toJson $files -}}
{{- end }}

{{/* sha256 of the concatenated files: (dict "root" $ "files" (list ...)). Same value as cdk8s computes. */}}
{{- define "snip.filesChecksum" -}}
{{- $content := "" -}}
{{- range .files -}}
{{- $content = print $content ($.root.Files.Get (printf "files/%s" .)) -}}
{{- end -}}
{{- sha256sum $content -}}
{{- end }}

{{- define "snip.otlpEndpoint" -}}
{{- printf "http://%s.%s:4318" (include "snip.fullname" (dict "root" . "component" "collector")) (include "snip.namespace" .) -}}
{{- end }}

{{- define "snip.redisEnv" -}}
{{- if eq .Values.redis.mode "in-cluster" }}
- name: REDIS_URL
  value: {{ printf "redis://%s:6379" (include "snip.fullname" (dict "root" . "component" "redis")) }}
{{- else if eq .Values.redis.mode "external" }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      key: REDIS_URL
      name: {{ .Values.redis.secretName }}
{{- end }}
{{- end }}

{{/*
A NetworkPolicy of one component, both directions (the policy() of
infra/cdk8s/src/constructs/network-policies.ts): (dict "root" $ "component" "redis" "ingress" (list
...) "egress" (list ...)), rules as dicts; optional "podSelector" (a dict, default: the component's
pods) and "annotations".
*/}}
{{- define "snip.networkPolicy" -}}
{{- $spec := dict "policyTypes" (list "Ingress" "Egress") -}}
{{- if hasKey . "podSelector" -}}
{{- $_ := set $spec "podSelector" .podSelector -}}
{{- else -}}
{{- $_ := set $spec "podSelector" (dict "matchLabels" (include "snip.selectorLabels" . | fromYaml)) -}}
{{- end -}}
{{- if hasKey . "ingress" }}{{ $_ := set $spec "ingress" .ingress }}{{ end -}}
{{- if hasKey . "egress" }}{{ $_ := set $spec "egress" .egress }}{{ end -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  {{- include "snip.metadata" (dict "root" .root "component" .component "kind" "NetworkPolicy" "annotations" .annotations) | nindent 2 }}
spec:
  {{- toYaml $spec | nindent 2 }}
{{- end }}

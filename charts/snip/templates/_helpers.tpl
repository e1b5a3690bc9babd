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

{{- define "snip.metadata" -}}
name: {{ .name | default (include "snip.fullname" .) }}
namespace: {{ include "snip.namespace" .root }}
labels:
  {{- include "snip.labels" . | nindent 2 }}
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

{{/* Pod-spec fields every workload shares. */}}
{{- define "snip.podDefaults" -}}
dnsPolicy: ClusterFirst
hostNetwork: false
setHostnameAsFQDN: false
terminationGracePeriodSeconds: 30
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

{{- define "snip.podSelector" -}}
podSelector:
  matchLabels:
    {{- include "snip.selectorLabels" . | nindent 4 }}
{{- end }}

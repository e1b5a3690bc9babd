{{/*
Helpers of the generated templates (infra/cdk8s/src/helm/templates.ts) and of the chart-only
objects. Object names are "<name>-<component>" where <name> is .Values.name or, when empty, the
release name; labels are commonLabels/selectorLabels of infra/cdk8s/src/constructs/common.ts.
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

{{/* Labels of every object of a component, pod templates included (no chart version: upgrades do not roll pods needlessly). */}}
{{- define "snip.labels" -}}
{{ include "snip.selectorLabels" . }}
app.kubernetes.io/part-of: snip
{{- end }}

{{/*
Name of the migration Job, "<name>-migrate-<image tag>" (migrationJobName in
infra/cdk8s/src/constructs/migration.ts). The schema restricts the tag; the whole name must also
fit a label value (the Job controller labels its pods with it).
*/}}
{{- define "snip.migrationJobName" -}}
{{- $name := printf "%s-%s" (include "snip.fullname" (dict "root" . "component" "migrate")) .Values.image.tag -}}
{{- if gt (len $name) 63 -}}
{{- fail (printf "the migration Job name %q is longer than 63 characters: shorten the release name (or .Values.name) or image.tag" $name) -}}
{{- end -}}
{{- $name -}}
{{- end }}

{{/*
terminationGracePeriodSeconds of an app (infra/cdk8s/src/shutdown.ts): preStop sleep +
ceil((SHUTDOWN_DELAY_MS + the service's fixed drain steps) / 1000) + margin; the generator passes
the fixed parts: (dict "root" $ "drainMs" 35000 "marginSeconds" 5).
*/}}
{{- define "snip.terminationGracePeriodSeconds" -}}
{{- $s := .root.Values.shutdown -}}
{{- add (int $s.preStopSeconds) (div (add (int $s.delayMs) .drainMs 999) 1000) .marginSeconds -}}
{{- end }}

{{/* GOMEMLIMIT: 80 % of a memory limit given in Mi (goMemLimit in infra/cdk8s/src/constructs/common.ts). */}}
{{- define "snip.goMemLimit" -}}
{{- div (mul (trimSuffix "Mi" . | atoi) 8) 10 }}MiB
{{- end }}

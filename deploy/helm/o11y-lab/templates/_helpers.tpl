{{/* The compose lab, parsed: every image, command, environment, port and health check is read from it. */}}
{{- define "o11y-lab.compose" -}}
{{- .Files.Get "files/compose.yaml" -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "o11y-lab.labels" -}}
app.kubernetes.io/part-of: o11y-lab
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.learner }}
o11y-lab/learner: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The compose services this release runs: all of them, less the bundled backends when bundledBackends is false. */}}
{{- define "o11y-lab.components" -}}
{{- $compose := include "o11y-lab.compose" . | fromYaml -}}
{{- $out := list -}}
{{- range $name, $_ := $compose.services -}}
{{- if or $.Values.bundledBackends (not (has $name (list "tempo" "loki" "prometheus" "grafana"))) -}}
{{- $out = append $out $name -}}
{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/* A compose duration in whole seconds ("5s" → 5). */}}
{{- define "o11y-lab.seconds" -}}
{{- trimSuffix "s" . | int -}}
{{- end -}}

{{/*
A compose healthcheck as a readiness probe: an HTTP check (the last word of its test is a URL) becomes an httpGet
probe of that path and port, which needs no tool in the image; any other test runs as is. Interval and timeout are
compose's; three failures take the pod out of its Service.
*/}}
{{- define "o11y-lab.probe" -}}
{{- $last := last .test -}}
{{- if hasPrefix "http://" $last }}
{{- $url := urlParse $last }}
httpGet:
  path: {{ $url.path }}
  port: {{ last (splitList ":" $url.host) | int }}
{{- else }}
exec:
  command: {{ rest .test | toJson }}
{{- end }}
periodSeconds: {{ include "o11y-lab.seconds" .interval }}
timeoutSeconds: {{ include "o11y-lab.seconds" .timeout }}
failureThreshold: 3
{{- end -}}

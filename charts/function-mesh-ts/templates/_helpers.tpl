{{/*
Labels of every object: the same as manifests/, no chart or release labels, so `helm template` and
`kubectl kustomize manifests/base` render identical objects. Helm tracks its objects by annotation.
*/}}
{{- define "fmts.labels" -}}
app.kubernetes.io/name: {{ . }}
app.kubernetes.io/part-of: function-mesh-ts
{{- end }}

{{/* host:port of the scaler that the controller writes into every ScaledObject. */}}
{{- define "fmts.scalerAddress" -}}
{{- .Values.keda.scalerAddress | default (printf "functionmesh-scaler.%s.svc:%v" .Release.Namespace .Values.scaler.grpcPort) }}
{{- end }}

{{/* Pod-level scheduling settings shared by both Deployments; the argument is the component's values. */}}
{{- define "fmts.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "workdisk.labels" -}}
app.kubernetes.io/name: workdisk-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "workdisk.operatorName" -}}{{ .Release.Name }}-operator{{- end -}}
{{- define "workdisk.agentName" -}}{{ .Release.Name }}-agent{{- end -}}
{{- define "workdisk.operatorSA" -}}system:serviceaccount:{{ .Release.Namespace }}:{{ include "workdisk.operatorName" . }}{{- end -}}
{{- define "workdisk.agentSA" -}}system:serviceaccount:{{ .Release.Namespace }}:{{ include "workdisk.agentName" . }}{{- end -}}

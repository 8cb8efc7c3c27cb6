{{/* The name of every object: the release name, plus the chart's unless it contains it. */}}
{{- define "opsctx.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "opsctx.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "opsctx.labels" -}}
{{ include "opsctx.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The Secret this chart creates: when there is a credential or a cache URL to keep. */}}
{{- define "opsctx.ownSecret" -}}
{{- if or .Values.secretEnv (and .Values.cache.url (not .Values.cache.existingSecret)) -}}true{{- end -}}
{{- end -}}

{{/* Checks the values before anything is rendered. */}}
{{- define "opsctx.validate" -}}
{{- range $k, $_ := .Values.env -}}
{{- if regexMatch "(TOKEN|PASSWORD|KEY|SECRET)$" $k -}}
{{- fail (printf "env.%s looks like a credential: put it in secretEnv or existingSecret, never in the ConfigMap" $k) -}}
{{- end -}}
{{- if eq $k "OPSCTX_CACHE_URL" -}}
{{- fail "env.OPSCTX_CACHE_URL: set cache.url (or cache.existingSecret); a cache URL may hold a password" -}}
{{- end -}}
{{- end -}}
{{- $o := .Values.signIn.oauth -}}
{{- if eq .Values.signIn.mode "oauth" -}}
{{- if not (and $o.issuer $o.audience) -}}
{{- fail "signIn.mode=oauth needs signIn.oauth.issuer and signIn.oauth.audience (or use signIn.mode=token with OPSCTX_AUTH_TOKEN in secretEnv or existingSecret)" -}}
{{- end -}}
{{- if hasKey .Values.secretEnv "OPSCTX_AUTH_TOKEN" -}}
{{- fail "secretEnv.OPSCTX_AUTH_TOKEN is set with signIn.mode=oauth: use one sign-in" -}}
{{- end -}}
{{- else if eq .Values.signIn.mode "token" -}}
{{- if not (or (hasKey .Values.secretEnv "OPSCTX_AUTH_TOKEN") .Values.existingSecret) -}}
{{- fail "signIn.mode=token needs OPSCTX_AUTH_TOKEN in secretEnv or in existingSecret" -}}
{{- end -}}
{{- else -}}
{{- fail (printf "signIn.mode must be oauth or token, not %q" .Values.signIn.mode) -}}
{{- end -}}
{{- end -}}

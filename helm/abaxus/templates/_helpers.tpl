{{/* Name of the chart, overridable. */}}
{{- define "abaxus.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped base name; every resource name is this plus the component. */}}
{{- define "abaxus.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains (include "abaxus.name" .) .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "abaxus.name" .) | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
The seven processes: values key -> component name (the app folder under dist/apps), port, and the
keys of the Secret it reads beyond DATABASE_URL (required, or optional). Ports are the processes'
own defaults (DEFAULT_PORTS in libs/platform/src/config; the chart's test checks they agree).
Each process gets only the secrets it uses: the API keys go to the gateway, Stripe and SMTP to
invoicing, the webhook secret key to notifications.
*/}}
{{- define "abaxus.apps" -}}
gateway: { component: api-gateway, port: 3000, secrets: [ABAXUS_API_KEYS], optionalSecrets: [] }
catalog: { component: catalog, port: 3001, secrets: [], optionalSecrets: [] }
ingestion: { component: ingestion, port: 3002, secrets: [], optionalSecrets: [] }
aggregation: { component: aggregation, port: 3003, secrets: [], optionalSecrets: [] }
pricing: { component: pricing, port: 3004, secrets: [], optionalSecrets: [] }
invoicing: { component: invoicing, port: 3005, secrets: [], optionalSecrets: [STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, SMTP_URL] }
notifications: { component: notifications, port: 3006, secrets: [], optionalSecrets: [ABAXUS_WEBHOOK_SECRET_KEY] }
{{- end -}}

{{/* The gateway's port, for the notes and the test pod. */}}
{{- define "abaxus.gatewayPort" -}}
{{- (include "abaxus.apps" . | fromYaml).gateway.port -}}
{{- end -}}

{{- define "abaxus.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "abaxus.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: abaxus
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" $ "component" "catalog"). */}}
{{- define "abaxus.selectorLabels" -}}
app.kubernetes.io/name: {{ include "abaxus.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "abaxus.secretName" -}}
{{- default (include "abaxus.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "abaxus.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Fails rendering early (also with --skip-schema-validation) when an external address is missing. */}}
{{- define "abaxus.validate" -}}
{{- $_ := required "kafka.brokers is required: the chart ships no Kafka, point it at yours (host:port,...)" .Values.kafka.brokers -}}
{{- if not .Values.existingSecret -}}
{{- $_ := required "database.url is required (or set existingSecret): the chart ships no PostgreSQL" .Values.database.url -}}
{{- if not .Values.auth.apiKeys -}}
{{- fail "auth.apiKeys is required (or set existingSecret): the gateway refuses to listen beyond loopback without API keys" -}}
{{- end -}}
{{- end -}}
{{- end -}}

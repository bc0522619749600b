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
The seven processes: values key -> component name (the app folder under dist/apps), port, the keys of
the Secret it reads beyond DATABASE_URL (required, or optional), and the processes that call it over
HTTP (its NetworkPolicy admits those alone). Ports are the processes' own defaults (DEFAULT_PORTS in
libs/platform/src/config; the chart's test checks they agree). Each process gets only the secrets it
uses: the API keys go to the gateway, Stripe and SMTP to invoicing, the webhook secret key to
notifications. Callers, as the code calls: the gateway proxies to every service; ingestion asks
catalog (its catalog copy) and aggregation (backfill); aggregation asks catalog; pricing asks catalog
and aggregation; invoicing asks catalog and pricing; notifications asks catalog, aggregation and
pricing (the chart's test reads the calls out of the code and checks this list).
*/}}
{{- define "abaxus.apps" -}}
gateway: { component: api-gateway, port: 3000, secrets: [ABAXUS_API_KEYS], optionalSecrets: [KAFKA_SASL_PASSWORD], callers: [] }
catalog: { component: catalog, port: 3001, secrets: [], optionalSecrets: [KAFKA_SASL_PASSWORD], callers: [api-gateway, ingestion, aggregation, pricing, invoicing, notifications] }
ingestion: { component: ingestion, port: 3002, secrets: [], optionalSecrets: [KAFKA_SASL_PASSWORD], callers: [api-gateway] }
aggregation: { component: aggregation, port: 3003, secrets: [], optionalSecrets: [KAFKA_SASL_PASSWORD], callers: [api-gateway, ingestion, pricing, notifications] }
pricing: { component: pricing, port: 3004, secrets: [], optionalSecrets: [KAFKA_SASL_PASSWORD], callers: [api-gateway, invoicing, notifications] }
invoicing: { component: invoicing, port: 3005, secrets: [], optionalSecrets: [KAFKA_SASL_PASSWORD, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, SMTP_URL], callers: [api-gateway, catalog] }
notifications: { component: notifications, port: 3006, secrets: [], optionalSecrets: [KAFKA_SASL_PASSWORD, ABAXUS_WEBHOOK_SECRET_KEY], callers: [api-gateway] }
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
{{- if and .Values.kafka.tls.existingSecret (not .Values.kafka.ssl) -}}
{{- fail "kafka.tls.existingSecret needs kafka.ssl: true (the CA is used for TLS to the brokers)" -}}
{{- end -}}
{{- if and .Values.kafka.tls.clientCertificate (not .Values.kafka.tls.existingSecret) -}}
{{- fail "kafka.tls.clientCertificate needs kafka.tls.existingSecret (the Secret holding tls.crt and tls.key)" -}}
{{- end -}}
{{- range $key, $values := .Values.apps -}}
{{- if and (include "abaxus.autoscaled" (dict "values" $values)) (not (and $values.resources $values.resources.requests $values.resources.requests.cpu)) -}}
{{- fail (printf "apps.%s.autoscaling needs apps.%s.resources.requests.cpu: the autoscaler scales on CPU use against the request" $key $key) -}}
{{- end -}}
{{- if and (include "abaxus.autoscaled" (dict "values" $values)) (gt (int $values.autoscaling.minReplicas) (int $values.autoscaling.maxReplicas)) -}}
{{- fail (printf "apps.%s.autoscaling.minReplicas is above maxReplicas" $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The pod security context, pull secrets, a container's security context: the same for every pod. */}}
{{- define "abaxus.podSecurity" -}}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}

{{/* Whether a process's replicas are left to its HorizontalPodAutoscaler; call with (dict "values" $values). */}}
{{- define "abaxus.autoscaled" -}}
{{- if and .values.autoscaling .values.autoscaling.enabled }}true{{ end -}}
{{- end -}}

{{/* Kafka's private CA (and client certificate), mounted from kafka.tls.existingSecret: the env, the mount and the volume. */}}
{{- define "abaxus.kafkaTlsEnv" -}}
{{- with .Values.kafka.tls.existingSecret }}
- name: KAFKA_SSL_CA_FILE
  value: /etc/abaxus/kafka-tls/ca.crt
{{- if $.Values.kafka.tls.clientCertificate }}
- name: KAFKA_SSL_CERT_FILE
  value: /etc/abaxus/kafka-tls/tls.crt
- name: KAFKA_SSL_KEY_FILE
  value: /etc/abaxus/kafka-tls/tls.key
{{- end }}
{{- end }}
{{- end -}}

{{- define "abaxus.kafkaTlsMount" -}}
{{- if .Values.kafka.tls.existingSecret }}
- name: kafka-tls
  mountPath: /etc/abaxus/kafka-tls
  readOnly: true
{{- end }}
{{- end -}}

{{- define "abaxus.kafkaTlsVolume" -}}
{{- with .Values.kafka.tls.existingSecret }}
- name: kafka-tls
  secret:
    secretName: {{ . }}
    defaultMode: 292 # 0444 (decimal: YAML 1.1 and 1.2 parsers disagree on a leading 0)
{{- end }}
{{- end -}}

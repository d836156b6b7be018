{{/*
The four services and who calls whom, in one place: the ConfigMaps (peer addresses) and the
NetworkPolicies (ingress from callers, egress to callees) are both derived from it.
  key:     the values block (.Values.<key>)
  name:    the component name (resource names, labels, binary salesops-<name>, database <db>)
  callees: the services it calls over gRPC
*/}}
{{- define "salesops.components" -}}
inventory:
  name: inventory
  db: inventory
  # scheduling: the van runs of transfers between warehouses (PlanTransfer, CancelJob).
  callees: [notification, scheduling]
scheduling:
  name: scheduling
  db: scheduling
  callees: [notification]
notification:
  name: notification
  db: notification
  callees: [orderIntake]
orderIntake:
  name: order-intake
  db: order_intake
  callees: [inventory, scheduling, notification]
{{- end -}}

{{- define "salesops.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "salesops.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "salesops.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource (Kubernetes recommended labels). */}}
{{- define "salesops.labels" -}}
helm.sh/chart: {{ include "salesops.chart" . }}
{{ include "salesops.selectorLabels" . }}
app.kubernetes.io/part-of: salesops
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "salesops.selectorLabels" -}}
app.kubernetes.io/name: {{ include "salesops.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Per-component helpers take a dict: {"root": $, "name": "<component name>"}.
*/}}
{{- define "salesops.componentFullname" -}}
{{- printf "%s-%s" (include "salesops.fullname" .root | trunc 50 | trimSuffix "-") .name }}
{{- end }}

{{- define "salesops.componentLabels" -}}
{{ include "salesops.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "salesops.componentSelectorLabels" -}}
{{ include "salesops.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/*
The image of a service: its own block's fields over the shared ones; a service that names its own
repository or tag does not inherit the shared digest. Takes {"root", "svc"}.
*/}}
{{- define "salesops.image" -}}
{{- $own := .svc.image | default dict }}
{{- $image := mergeOverwrite (deepCopy .root.Values.image) $own }}
{{- if and (or $own.repository $own.tag) (not $own.digest) }}
{{- $_ := set $image "digest" "" }}
{{- end }}
{{- $tag := default .root.Chart.AppVersion $image.tag }}
{{- if $image.digest }}
{{- printf "%s@%s" $image.repository $image.digest }}
{{- else }}
{{- printf "%s:%s" $image.repository $tag }}
{{- end }}
{{- end }}

{{- define "salesops.imagePullPolicy" -}}
{{- $image := mergeOverwrite (deepCopy .root.Values.image) (.svc.image | default dict) }}
{{- $image.pullPolicy }}
{{- end }}

{{- define "salesops.serviceAccountName" -}}
{{- if .root.Values.serviceAccount.create }}
{{- include "salesops.componentFullname" . }}
{{- else }}
{{- "default" }}
{{- end }}
{{- end }}

{{/* The secret holding the tokens: the user's, or the chart's. */}}
{{- define "salesops.authSecretName" -}}
{{- if .Values.auth.existingSecret }}
{{- .Values.auth.existingSecret }}
{{- else }}
{{- printf "%s-auth" (include "salesops.fullname" .) }}
{{- end }}
{{- end }}

{{/* The Secret holding order-intake's quote-link signing key (acceptance.key). */}}
{{- define "salesops.acceptanceSecretName" -}}
{{- if .Values.orderIntake.acceptance.existingSecret }}
{{- .Values.orderIntake.acceptance.existingSecret }}
{{- else }}
{{- printf "%s-acceptance" (include "salesops.fullname" .) }}
{{- end }}
{{- end }}

{{/* The Secret holding scheduling's calendar feed signing key (calendar.key). */}}
{{- define "salesops.calendarSecretName" -}}
{{- if .Values.scheduling.calendar.existingSecret }}
{{- .Values.scheduling.calendar.existingSecret }}
{{- else }}
{{- printf "%s-calendar" (include "salesops.fullname" .) }}
{{- end }}
{{- end }}

{{/*
Each service's own token, by values key (inventory, scheduling, notification, orderIntake): the
value given, else the one already in the cluster (upgrades keep it), else a new random one. Kept in
.Values so every template of one render sees the same tokens. Returns them as YAML.
*/}}
{{- define "salesops.serviceTokens" -}}
{{- $tokens := .Values.auth.serviceTokens | default dict }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (printf "%s-auth" (include "salesops.fullname" .)) }}
{{- $stored := dig "data" dict ($existing | default dict) }}
{{- range $key, $component := include "salesops.components" . | fromYaml }}
{{- if not (index $tokens $key) }}
{{- $previous := index $stored (printf "%s.token" $component.name) }}
{{- if $previous }}
{{- $_ := set $tokens $key ($previous | b64dec) }}
{{- else }}
{{- $_ := set $tokens $key (randAlphaNum 48) }}
{{- end }}
{{- end }}
{{- end }}
{{- /* One hash can name only one actor: a token given twice would merge two identities. */}}
{{- if ne (len (values $tokens | uniq)) (len $tokens) }}
{{- fail "auth.serviceTokens: each service needs a token of its own" }}
{{- end }}
{{- $_ := set .Values.auth "serviceTokens" $tokens }}
{{- toYaml $tokens }}
{{- end }}

{{/* The dev PostgreSQL's password, chosen once per render the same way as the service tokens. */}}
{{- define "salesops.postgresqlPassword" -}}
{{- if not .Values.postgresql.password }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (printf "%s-postgresql" (include "salesops.fullname" .)) }}
{{- if and $existing (index ($existing.data | default dict) "password") }}
{{- $_ := set .Values.postgresql "password" (index $existing.data "password" | b64dec) }}
{{- else }}
{{- $_ := set .Values.postgresql "password" (randAlphaNum 32) }}
{{- end }}
{{- end }}
{{- .Values.postgresql.password }}
{{- end }}

{{/* A service's database URL. Takes {"root", "svc", "component"}. */}}
{{- define "salesops.databaseUrl" -}}
{{- if .svc.database.url }}
{{- .svc.database.url }}
{{- else if .root.Values.postgresql.enabled }}
{{- printf "postgresql://%s@%s-postgresql:5432/%s" .component.db (include "salesops.fullname" .root) .component.db }}
{{- else }}
{{- printf "postgresql://%s@postgresql:5432/%s" .component.db .component.db }}
{{- end }}
{{- end }}

{{- define "salesops.databaseSecretName" -}}
{{- if .svc.database.existingSecret }}
{{- .svc.database.existingSecret }}
{{- else }}
{{- printf "%s-database" (include "salesops.componentFullname" (dict "root" .root "name" .component.name)) }}
{{- end }}
{{- end }}

{{/* SALESOPS_* settings from a config block (camelCase keys become SCREAMING_SNAKE). */}}
{{- define "salesops.configEnv" -}}
{{- range $key, $value := . }}
{{- /* YAML numbers arrive as floats; every numeric setting is a whole number. */}}
{{- $text := ternary (int64 $value | toString) (toString $value) (kindIs "float64" $value) }}
{{ printf "SALESOPS_%s" ($key | snakecase | upper) }}: {{ $text | quote }}
{{- end }}
{{- end }}

{{/*
TLS: where a pod finds its certificate Secret's files, as the flags of the services and of
salesopsctl (the same names). Takes the root; returns YAML list items.
*/}}
{{- define "salesops.tlsFlags" -}}
- --tls-cert-file=/var/run/secrets/salesops/tls/tls.crt
- --tls-key-file=/var/run/secrets/salesops/tls/tls.key
{{- if .Values.tls.mutual }}
- --tls-ca-file=/var/run/secrets/salesops/tls/ca.crt
{{- end }}
{{- end }}

{{/* The certificate Secret volume and its mount. Take {"root", "secretName"}. */}}
{{- define "salesops.tlsVolume" -}}
- name: tls
  secret:
    secretName: {{ .secretName }}
    defaultMode: 0440
    items:
      - key: tls.crt
        path: tls.crt
      - key: tls.key
        path: tls.key
      {{- if .root.Values.tls.mutual }}
      - key: ca.crt
        path: ca.crt
      {{- end }}
{{- end }}

{{- define "salesops.tlsVolumeMount" -}}
- name: tls
  mountPath: /var/run/secrets/salesops/tls
  readOnly: true
{{- end }}

{{/*
A probe's handler. Without TLS the kubelet's native gRPC probe; with TLS, which that probe cannot
speak, salesopsctl health in the container against the pod's own server on localhost, with the
pod's certificate. Takes {"root", "probe" (its values), "service" (health name, "" = overall)}.
*/}}
{{- define "salesops.probeHandler" -}}
{{- if .root.Values.tls.enabled }}
exec:
  command:
    - /usr/local/bin/salesopsctl
    - health
    {{- /* Answer before the kubelet gives up, so a slow answer reads as a failure, not a hang. */}}
    - {{ printf "--timeout-ms=%d" (max 500 (sub (mul .probe.timeoutSeconds 1000) 500)) }}
    {{- include "salesops.tlsFlags" .root | nindent 4 }}
    {{- with .service }}
    - {{ printf "--service=%s" . }}
    {{- end }}
    - {{ printf "localhost:%v" .root.Values.ports.grpc }}
{{- else }}
grpc:
  port: {{ .root.Values.ports.grpc }}
  {{- with .service }}
  service: {{ . }}
  {{- end }}
{{- end }}
{{- end }}

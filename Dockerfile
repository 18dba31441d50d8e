# Roomwatch gateway image: the same commands as the README (npm ci, the console and gateway builds, npm start).
# Runs as the unprivileged `node` user (uid 1000) of the Node image, never as root; the config is
# config/docker.yaml (mounted by docker-compose.yml), certificates under /certs (docs/security.md).
FROM node:24-bookworm-slim

WORKDIR /app
COPY . .
# Built once here, so the running user needs no write access to /app.
RUN npm ci && npm run build:console && npm run build:server \
 && mkdir -p /data && chown node:node /data && chmod 700 /data

# Journal, duty log and other local state (config/docker.yaml: storage.dataDir); a volume in docker-compose.yml.
VOLUME /data
# 8443: console over HTTPS; 8080: redirect to it; 8883: the embedded MQTT broker over TLS.
EXPOSE 8443 8080 8883

USER node
# --ignore-scripts: skip prestart (the builds above), run the start script with the Node flags of package.json.
CMD ["npm", "start", "--ignore-scripts", "--", "--config", "config/docker.yaml"]

# Roomwatch gateway image: the same commands as the README (npm ci, then npm start with a config).
# `npm start` builds the console and the gateway bundle first (prestart) and runs the bundle with the Node flags
# of package.json `config` (docs/decisions.md).
FROM node:24-bookworm-slim

WORKDIR /app
COPY . .
RUN npm ci

# Journal, duty log and other local state (config/docker.yaml: storage.dataDir); a volume in docker-compose.yml.
VOLUME /data
# 8080: console and REST API; 1883: the embedded MQTT broker.
EXPOSE 8080 1883

CMD ["npm", "start", "--", "--config", "config/docker.yaml"]

#!/bin/sh
# certbot --deploy-hook: copy the new certificate to deploy/certs/ for the nginx container and
# reload nginx if it runs. certbot sets RENEWED_LINEAGE (/etc/letsencrypt/live/DOMAIN).
set -eu
deploy=$(cd "$(dirname "$0")" && pwd)
: "${RENEWED_LINEAGE:?run by certbot as --deploy-hook}"
install -m 0644 "$RENEWED_LINEAGE/fullchain.pem" "$deploy/certs/fullchain.pem"
install -m 0600 "$RENEWED_LINEAGE/privkey.pem" "$deploy/certs/privkey.pem"
if docker compose -f "$deploy/docker-compose.yml" ps --status running --services 2>/dev/null \
    | grep -qx nginx; then
    docker compose -f "$deploy/docker-compose.yml" exec -T nginx nginx -s reload
fi

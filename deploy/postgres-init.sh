#!/usr/bin/env bash
# Runs once in the postgres container: one role and one database per service.
# (For compose only; a real deployment gives each service its own password.)
set -euo pipefail
password="$(cat /run/salesops/db-password)"
for db in inventory scheduling notification order_intake; do
  psql -v ON_ERROR_STOP=1 -U postgres <<SQL
CREATE ROLE $db LOGIN PASSWORD '$password';
CREATE DATABASE $db OWNER $db;
SQL
done

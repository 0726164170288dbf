#!/bin/sh
# Make a throwaway test CA and a server certificate for 127.0.0.1 and
# localhost in DIR (created if missing): ca.pem, server.pem, server.key.
# Also other-ca.pem, a second CA that did not sign anything (for
# verification failures).  Keys are made at test time and never committed.
# Usage: make_certs.sh DIR
set -eu
d=$1
mkdir -p "$d"
cd "$d"
q() { "$@" >/dev/null 2>&1 || { echo "make_certs: $1 failed" >&2; exit 1; }; }
for ca in ca other-ca; do
    q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -nodes -keyout "$ca.key" -out "$ca.pem" -days 2 \
        -subj "/CN=arctic-digest test $ca" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign"
done
q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout server.key -out server.csr -subj "/CN=localhost"
cat > server.ext <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EXT
q openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
    -CAcreateserial -out server.pem -days 2 -extfile server.ext

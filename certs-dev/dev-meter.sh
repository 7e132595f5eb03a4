#!/usr/bin/env bash
# Development only: make a throwaway manufacturer (IDevID) CA and one meter's factory certificate with openssl, as a
# meter factory would, and register both with a local AmiPki data directory so the meter can enroll zero-touch over
# EST (HTTPS) or EST-coaps (DTLS). Every key this writes is a throwaway test key under certs-dev/out/ (git-ignored).
#
#   certs-dev/dev-meter.sh [SYSTEM_TITLE] [DATA_DIR]      defaults: 4D4D4D0000BC614E  var/amipki
#
# Needs openssl and a built amipki (make build). Run it before `make run`, or restart the server afterwards: the
# manufacturer anchors are read from DATA_DIR/trust/manufacturers/ on change, the device registry at once.
set -euo pipefail

system_title=${1:-4D4D4D0000BC614E}
data=${2:-var/amipki}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=${AMIPKI_DEV_OUT:-$here/out}
amipki=${AMIPKI_CLI:-"dotnet $repo/src/AmiPki.Cli/bin/Release/net10.0/amipki.dll"}

if [[ ! $system_title =~ ^[0-9A-Fa-f]{16}$ ]]; then
    echo "dev-meter: the system title must be 16 hexadecimal digits (DLMS/COSEM 8-byte system title), got '$system_title'" >&2
    exit 2
fi
command -v openssl >/dev/null || { echo "dev-meter: openssl is missing (apt-get install openssl)" >&2; exit 2; }
mkdir -p "$out"
umask 077

# The manufacturer CA: made once, reused for every further meter.
if [[ ! -f $out/dev-manufacturer.pem ]]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$out/dev-manufacturer.key" \
        -out "$out/dev-manufacturer.pem" -days 3650 -subj "/O=Dev Meters/CN=Dev Meters IDevID CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi

meter=$out/meter-$system_title
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$meter-idevid.key" \
    -subj "/O=Dev Meters/serialNumber=$system_title" -out "$meter-idevid.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n' > "$meter-idevid.ext"
openssl x509 -req -in "$meter-idevid.csr" -CA "$out/dev-manufacturer.pem" -CAkey "$out/dev-manufacturer.key" -CAcreateserial \
    -days 3650 -extfile "$meter-idevid.ext" -out "$meter-idevid.pem" 2>/dev/null
fingerprint=$(openssl x509 -in "$meter-idevid.pem" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d :)

# The meter's operational key and its CSR: CN = the system title (DLMS/COSEM Security Suite 1).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$meter-operational.key" \
    -subj "/CN=$system_title" -out "$meter-operational.csr.pem" 2>/dev/null
openssl req -in "$meter-operational.csr.pem" -outform DER -out "$meter-operational.csr.der"
openssl base64 -in "$meter-operational.csr.der" -out "$meter-operational.csr.b64"

mkdir -p "$data/trust/manufacturers"
cp "$out/dev-manufacturer.pem" "$data/trust/manufacturers/dev-meters.pem"
printf 'system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu,kind\n%s,%s,,dev-meters,DEV-LOT,DEV-DCU,meter\n' \
    "$system_title" "$fingerprint" > "$meter-manifest.csv"
$amipki devices import "$meter-manifest.csv" --data "$data"
$amipki chain --data "$data" --out "$out/amipki-root.pem" >/dev/null

cat <<EOT
dev-meter: meter $system_title registered in $data (IDevID SHA-256 $fingerprint)
Enroll over EST (HTTPS, port 8443) with its factory certificate:
  curl --cacert $out/amipki-root.pem \\
       --cert $meter-idevid.pem --key $meter-idevid.key -H 'Content-Type: application/pkcs10' \\
       --data-binary @$meter-operational.csr.b64 https://127.0.0.1:8443/.well-known/est/meter-s1-signing/simpleenroll
EOT

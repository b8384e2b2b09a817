#!/usr/bin/env bash
# Builds the front ends into dist/web (served by the api under /console/ and /h5/…):
#   1. the OpenAPI documents of the api and rating apps, built from the compiled Nest modules in
#      preview mode (no database needed) → dist/openapi/*.json
#   2. the typed API client's schema, generated from them (openapi-typescript) → apps/web-shared/api/
#   3. the console (Vite) → dist/web/console
#   4. the resident and volunteer apps (uni-app) as H5 sites → dist/web/h5/<app>, and as WeChat
#      mini-program packages → dist/web/mp-weixin/<app> (compiled here; opened in WeChat DevTools)
#   5. gzip and brotli copies of every text asset the api serves (scripts/compress-web.mjs)
# Needs `npm run build` first. Installs the front ends' own packages when missing or stale.
#   --no-mp   skip the mini-program packages (faster local iteration)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
mp=1
[[ "${1:-}" == "--no-mp" ]] && mp=0

for app in console mobile; do
  dir="apps/$app"
  if [[ ! -f "$dir/node_modules/.package-lock.json" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    echo "[web] installing packages of $dir" >&2
    # `npm ci` only: the committed lockfile is complete (every platform's optional binaries), so a
    # clean clone installs the locked versions and the tracked lockfile is never rewritten
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || {
      echo "[web] npm ci failed in $dir: its package-lock.json must match package.json (regenerate with npm install, commit it)" >&2
      exit 1
    }
  fi
done

[[ -f dist/apps/api/src/openapi-document.js ]] || { echo "[web] dist/ is missing: run npm run build first" >&2; exit 1; }
node dist/apps/api/src/openapi-document.js dist/openapi/api.json
node dist/apps/rating/src/openapi-document.js dist/openapi/rating.json
gen=apps/console/node_modules/.bin/openapi-typescript
# a default value does not make a request field required
"$gen" dist/openapi/api.json -o apps/web-shared/api/api-schema.d.ts --root-types --default-non-nullable=false >/dev/null
"$gen" dist/openapi/rating.json -o apps/web-shared/api/rating-schema.d.ts --default-non-nullable=false >/dev/null
echo "[web] typed client schema generated in apps/web-shared/api/" >&2

# every call of the console and the uni-apps is checked against the generated schema
vue_tsc=apps/console/node_modules/vue-tsc/bin/vue-tsc.js
node "$vue_tsc" --noEmit -p apps/console/tsconfig.json
node "$vue_tsc" --noEmit -p apps/mobile/tsconfig.json
echo "[web] front ends type-checked" >&2

(cd apps/console && node node_modules/vite/bin/vite.js build --logLevel warn)
echo "[web] console → dist/web/console" >&2

uni() { # app platform outdir
  # run from apps/mobile (its node_modules resolve uni-app's Vue build); the app's folder is the project root
  local base=''
  # the mini-program calls the api by absolute URL (set MP_API_BASE to the public https origin)
  [[ $2 == mp-weixin ]] && base="${MP_API_BASE:-http://127.0.0.1:3000}"
  (cd apps/mobile && VITE_APP="$1" VITE_API_BASE="$base" VITE_ROOT_DIR="$PWD/$1" UNI_INPUT_DIR="$PWD/$1" UNI_OUTPUT_DIR="$3" NODE_ENV=production \
    node node_modules/@dcloudio/vite-plugin-uni/bin/uni.js build -p "$2" >"$root/dist/web/.uni-$1-$2.log" 2>&1) ||
    { cat "$root/dist/web/.uni-$1-$2.log" >&2; echo "[web] uni-app build of $1 for $2 failed" >&2; exit 1; }
}
for app in resident volunteer; do
  uni "$app" h5 "$root/dist/web/h5/$app"
  cp apps/web-shared/public/favicon.svg "dist/web/h5/$app/favicon.svg"
  echo "[web] $app H5 → dist/web/h5/$app" >&2
  if [[ $mp == 1 ]]; then
    uni "$app" mp-weixin "$root/dist/web/mp-weixin/$app"
    [[ -f "dist/web/mp-weixin/$app/app.json" ]] || { echo "[web] mini-program package of $app has no app.json" >&2; exit 1; }
    echo "[web] $app mini-program → dist/web/mp-weixin/$app" >&2
  fi
done
node scripts/compress-web.mjs dist/web/console dist/web/h5

# syntax=docker/dockerfile:1
# One image for the four apps (api, dispatcher, rating, relay); docker-compose.yml picks the entry point.
# The api serves the console (/console/) and the resident and volunteer H5 sites (/h5/…) from dist/web.

# ---- build: all dependencies, compile TypeScript to dist/ ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# the front ends (console, H5 sites) are built from the api's OpenAPI document: compile first
RUN npm run build && bash scripts/build-web.sh --no-mp

# ---- runtime: production dependencies + compiled output only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# a young generation of at most 3 × 8 MB, and an old generation V8 collects before it grows to more than
# 1.8 × its live size (4 × without a ceiling), keep each app's peak RSS under 300 MB (README, Benchmarks)
ENV NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=1536"
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000 3001 3002 3003
CMD ["node", "dist/apps/api/src/main.js"]

# One image for the four apps; docker-compose.yml picks the entry point per service.
# Node.js 24 (LTS); the code also runs on 20.19+ and 22.12+ (package.json `engines`).
FROM node:24.11-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build && npm prune --omit=dev

FROM node:24.11-bookworm-slim
ENV NODE_ENV=production
# A bounded heap (APP_HEAP_FLAGS in scripts/start/app-commands.ts, the same for `npm start`):
# the old generation is collected before it grows past what a service needs, which keeps each
# app's resident memory under load below 200 MB (docs/benchmarks.md). The semi-spaces are
# bounded too: Node.js 24 lets them grow to 64 MB, and beside a 128 MB old generation the apps
# then spent most of their time under load in full collections that freed nothing.
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=16"
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
CMD ["node", "dist/apps/orchestrator/src/main.js"]

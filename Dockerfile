# Build stage: install exactly the lockfile, compile TypeScript, drop devDependencies.
# Dependencies' install scripts stay off, as under npm 11 without an allowScripts approval (the two that exist,
# @parcel/watcher's from-source build and @scarf/scarf's install analytics, are denied in package.json; the
# npm 10 in this image does not read allowScripts). `bash .ci/image-path` runs these steps outside Docker in CI.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund --ignore-scripts

# Runtime: the compiled service, its commands (dist/cli) and production dependencies only.
# Commands: `docker run --rm -v DATA:/data IMAGE npm run -s token:prod -- --user admin` (also migrate:prod,
# seed:prod). With the embedded database, run them while the service is stopped: PGlite's data directory belongs
# to one process at a time.
FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/-/health/ready/').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/main.js"]

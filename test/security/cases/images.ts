import { expect } from "vitest";
import { docker } from "../../integration/helpers";
import { EscapeCase, expectInvalidParams, refusedSession } from "../context";

/** dockerImage values that would have added build steps to the Dockerfile CodeBeaker generates from it. */
const buildSteps = [
  "debian:bookworm-slim\nUSER root\nRUN touch /etc/codebeaker-pwned",
  "debian:bookworm-slim\r\nRUN id",
  "debian:bookworm-slim\nADD http://127.0.0.1:1/ /opt/",
  "debian:bookworm-slim AS build",
  "--network=host debian",
];

export const imageCases: EscapeCase[] = [
  {
    name: "a dockerImage cannot add build steps: anything but an image reference is a -32602 naming dockerImage",
    kinds: ["docker", "gvisor"],
    async attempt(context) {
      const custom = async () =>
        (await docker.listImages({ all: true }))
          .flatMap((image) => image.RepoTags ?? [])
          .filter((tag) => tag.startsWith("codebeaker/custom:"));
      const before = await custom();
      for (const dockerImage of buildSteps) {
        const error = await refusedSession(context, { language: "python", isolation: context.kind, dockerImage });
        expectInvalidParams(error, /dockerImage: must be an image reference/);
      }
      expect(await custom()).toEqual(before); // nothing was built
    },
  },
];

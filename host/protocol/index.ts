export * from "./commands";
export * from "./command-results";
export * from "./errors";
export * from "./languages";
export * from "./methods";
export * from "./results";
export * from "./session";
export * from "./workspace-path";

"use strict";
// When may a library file's type errors be taken from an earlier compile? A library file (lib.*.d.ts, a .d.ts in
// node_modules) never imports the user's files, so the user's code reaches it only through the global scope: a
// global the user declares that a library file also declares or refers to (a redeclared `name`, a merged
// `interface Array`), a module augmentation (`declare module "fs"`, `declare global`), a UMD global. When none of
// these happens, a library file's diagnostics are those it has with no user file at all, and they can be kept
// across compiles (tsc checks @types/node and lib.dom.d.ts on every compile: most of its time).

/** The library's global-scope names, once per SourceFile (they are reused between compiles). */
const namesOfFile = new WeakMap();

/** Whether a file is the library's: a default lib, or a declaration file under node_modules. */
function isLibraryFile(program, file) {
  return file.isDeclarationFile && (program.isSourceFileDefaultLibrary(file) || file.path.includes("/node_modules/"));
}

/**
 * The names through which the user's globals could reach the library: the identifiers of its files that may
 * resolve in the global scope, and the names its global declarations declare. Left out: a name used where a
 * module, namespace or type parameter of its own declares it (`fs` after `import * as fs from "fs"`), names
 * declared inside a module or namespace, member, parameter and type parameter names, `a.b`'s `b`. In
 * `typeof globalThis extends { onmessage: any } ? …` (how @types/node tests for the DOM), every name counts.
 */
function libraryNames(ts, files) {
  const names = new Set();
  for (const file of files) {
    let own = namesOfFile.get(file);
    if (own === undefined) {
      own = namesIn(ts, file);
      namesOfFile.set(file, own);
    }
    for (const name of own) names.add(name);
  }
  return names;
}

function namesIn(ts, file) {
  const names = new Set();
  const K = ts.SyntaxKind;
  const memberLike = new Set([
    K.PropertySignature, K.PropertyDeclaration, K.MethodSignature, K.MethodDeclaration, K.GetAccessor, K.SetAccessor,
    K.EnumMember, K.PropertyAssignment, K.Parameter, K.TypeParameter, K.NamedTupleMember,
  ]);
  const declaring = new Set([
    K.VariableDeclaration, K.FunctionDeclaration, K.ClassDeclaration, K.InterfaceDeclaration, K.TypeAliasDeclaration,
    K.EnumDeclaration, K.ModuleDeclaration, K.ImportEqualsDeclaration, K.ImportClause, K.NamespaceImport,
    K.ImportSpecifier, K.ExportSpecifier, K.BindingElement, K.NamespaceExportDeclaration,
  ]);
  const isGlobalThis = (node) => ts.isIdentifier(node) && node.escapedText === "globalThis";
  const mentionsGlobalThis = (node) => isGlobalThis(node) || ts.forEachChild(node, mentionsGlobalThis) === true;
  /** Whether `node`, an identifier, is a name the global scope could answer, given the scopes around it. */
  const counts = (node, global, scopes) => {
    const parent = node.parent;
    if (memberLike.has(parent.kind) && parent.name === node) return false;
    if (declaring.has(parent.kind) && parent.name === node) return global;
    if (ts.isPropertyAccessExpression(parent) && parent.name === node) return isGlobalThis(parent.expression);
    if (ts.isQualifiedName(parent) && parent.right === node) return isGlobalThis(parent.left);
    const name = ts.idText(node);
    return !scopes.some((scope) => scope.has(name));
  };
  /**
   * `global`: whether declarations here are global; `everything`: inside a globalThis test; `scopes`: the names
   * declared by the modules, namespaces and type parameter lists around `node`.
   */
  const visit = (node, global, everything, scopes) => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
      if (everything || counts(node, global, scopes)) names.add(ts.idText(node));
      return;
    }
    if (everything && ts.isStringLiteralLike(node)) names.add(node.text);
    const typeParameters = node.typeParameters?.map((parameter) => ts.idText(parameter.name)) ?? [];
    const inner = typeParameters.length > 0 ? [...scopes, new Set(typeParameters)] : scopes;
    if (ts.isModuleDeclaration(node)) {
      visit(node.name, global, everything, scopes);
      const augmentsGlobal = ts.isGlobalScopeAugmentation(node);
      const body = node.body;
      if (body) visit(body, augmentsGlobal, everything, augmentsGlobal || !ts.isModuleBlock(body) ? scopes : [...scopes, declaredIn(ts, body.statements)]);
    } else if (ts.isConditionalTypeNode(node) && mentionsGlobalThis(node.checkType)) {
      visit(node.checkType, global, everything, scopes);
      visit(node.extendsType, global, true, scopes);
      visit(node.trueType, global, everything, scopes);
      visit(node.falseType, global, everything, scopes);
    } else {
      ts.forEachChild(node, (child) => visit(child, global, everything, inner));
    }
  };
  const script = !ts.isExternalOrCommonJsModule(file);
  const scopes = script ? [] : [declaredIn(ts, file.statements)];
  ts.forEachChild(file, (child) => visit(child, script, false, scopes));
  return names;
}

/** The names the statements of a module or namespace declare there (imports included). */
function declaredIn(ts, statements) {
  const declared = new Set();
  const bind = (name) => {
    if (ts.isIdentifier(name)) declared.add(ts.idText(name));
    else if (name && (ts.isObjectBindingPattern(name) || ts.isArrayBindingPattern(name))) {
      for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
    }
  };
  for (const statement of statements) {
    if (ts.isVariableStatement(statement)) statement.declarationList.declarations.forEach((declaration) => bind(declaration.name));
    else if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name) bind(clause.name);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) bind(bindings.name);
      else if (bindings) bindings.elements.forEach((element) => bind(element.name));
    } else if (statement.name && !ts.isStringLiteral(statement.name) && !ts.isExpressionStatement(statement)) bind(statement.name);
  }
  return declared;
}

/**
 * The names a user file adds to the global scope, or null when it reaches the library some other way: a module
 * augmentation or `declare global`, an ambient module, a UMD global (`export as namespace`). Needs the program's
 * checker to exist (the binder fills `locals`).
 */
function userGlobals(ts, file) {
  for (const statement of file.statements) {
    if (ts.isModuleDeclaration(statement) && !ts.isIdentifier(statement.name)) return null; // declare module "x"
    if (ts.isModuleDeclaration(statement) && ts.isGlobalScopeAugmentation(statement)) return null;
    if (ts.isNamespaceExportDeclaration(statement)) return null;
  }
  if (ts.isExternalOrCommonJsModule(file) || ts.isJsonSourceFile(file)) return [];
  return [...(file.locals?.keys() ?? [])].map((name) => ts.unescapeLeadingUnderscores(name));
}

/**
 * Whether the library files' diagnostics in `program` are those they have with no user file: no user file is
 * reached from a library file, and no user global meets a library name.
 */
function libraryStandsAlone(ts, program, libraryFiles, userFiles) {
  const library = new Set(libraryFiles.map((file) => file.path));
  const reasons = program.getFileIncludeReasons();
  for (const file of userFiles) {
    for (const reason of reasons.get(file.path) ?? []) {
      if (ts.isReferencedFile(reason) && library.has(reason.file)) return false;
    }
  }
  program.getTypeChecker(); // binds every file
  const names = libraryNames(ts, libraryFiles);
  for (const file of userFiles) {
    const globals = userGlobals(ts, file);
    if (globals === null || globals.some((name) => names.has(name))) return false;
  }
  return true;
}

module.exports = { isLibraryFile, libraryStandsAlone };

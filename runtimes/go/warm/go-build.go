// go-build is the warm compile line of Go (see docs/WARM.md): `go-build -o OUT FILE.go...`, run where the cold
// line `go build -o OUT FILE.go...` would run. A package main that imports only the standard library (one
// directory, no go.mod, no cgo, no build constraints, no embed) is compiled and linked with the toolchain's
// compile and link directly, against the standard library that setup.sh built into the image: no go command,
// no build cache. Anything else runs `go build` with the same arguments, as cold.
//
// The direct path writes the same diagnostics as go build (the `# command-line-arguments` header, `./main.go:3:5:`
// paths), exits as it does (1 on a build error), and links the same binary as go build but for `-s -w`: no DWARF
// and no ELF symbol table (what only a debugger reads; tracebacks come from the pclntab). setup.sh checks both at
// image build.
//
// Built with each image's own Go (1.19 and later): no newer standard library in this file.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"go/build"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
)

// Where setup.sh leaves what the direct path needs.
const (
	warmDir      = "/opt/codebeaker/warm"
	stdImportcfg = warmDir + "/go-std.importcfg"
	stdCache     = warmDir + "/go-cache"
	configFile   = warmDir + "/go-build.conf"
)

// The variables that change what go build produces. The direct path is taken only when each has the value it had
// when setup.sh built the standard library (most of them unset).
var buildVariables = []string{
	"GOOS", "GOARCH", "GOAMD64", "GO386", "GOARM", "GOARM64", "GOEXPERIMENT", "GOFIPS140", "GOFLAGS", "GOROOT",
	"GO111MODULE", "GOWORK", "GOENV", "GOTOOLCHAIN", "CGO_ENABLED", "GOCOVERDIR",
}

// errFallback: this command line is go build's to handle.
var errFallback = errors.New("fallback")

type config struct {
	goroot  string
	version string
	modinfo string
	// go build's exit status when the build fails.
	failureStatus int
	env           map[string]string
}

func main() {
	args := os.Args[1:]
	if len(args) == 1 && args[0] == "-env" {
		// For setup.sh's go-build.conf: the build settings the standard library is built with.
		for _, name := range buildVariables {
			fmt.Printf("env.%s=%s\n", name, os.Getenv(name))
		}
		return
	}
	checkID := ""
	if len(args) > 1 && args[0] == "-selfcheck" {
		checkID, args = args[1], args[2:]
	}
	code, err := direct(args, checkID)
	if err == errFallback && checkID == "" {
		goBuild(args)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-build:", err)
		os.Exit(2)
	}
	os.Exit(code)
}

// goBuild replaces this process with `go build ARGS`, the cold compile line, with the session's build cache
// seeded from the image first so that the standard library is not compiled again.
func goBuild(args []string) {
	seedCache()
	goCommand, err := exec.LookPath("go")
	if err == nil {
		err = syscall.Exec(goCommand, append([]string{"go", "build"}, args...), os.Environ())
	}
	fmt.Fprintln(os.Stderr, "go-build: cannot run go build:", err)
	os.Exit(2)
}

// direct compiles and links when the program is one the direct path handles; errFallback when it is not.
func direct(args []string, checkID string) (int, error) {
	output, files, ok := parseArgs(args)
	if !ok {
		return 0, errFallback
	}
	cfg, err := readConfig()
	if err != nil || !sameEnvironment(cfg) {
		return 0, errFallback
	}
	cwd, err := os.Getwd()
	if err != nil || hasModuleFile(cwd) || hasUserGoEnv() {
		return 0, errFallback
	}
	std, err := readImportcfg()
	if err != nil {
		return 0, errFallback
	}
	names, imports, ok := loadMain(cwd, files, std)
	if !ok {
		return 0, errFallback
	}
	if output, err = filepath.Abs(output); err != nil || !replaceable(output) {
		return 0, errFallback
	}
	work, err := os.MkdirTemp("", "codebeaker-go-build-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(work)
	return compileAndLink(cfg, std, work, cwd, names, imports, output, checkID)
}

// parseArgs accepts the warm compile line's shape: -o OUT, then .go files.
func parseArgs(args []string) (output string, files []string, ok bool) {
	if len(args) < 3 || args[0] != "-o" {
		return "", nil, false
	}
	for _, file := range args[2:] {
		if !strings.HasSuffix(file, ".go") || strings.HasPrefix(file, "-") {
			return "", nil, false
		}
	}
	return args[1], args[2:], true
}

func readConfig() (*config, error) {
	data, err := os.ReadFile(configFile)
	if err != nil {
		return nil, err
	}
	cfg := &config{env: map[string]string{}, failureStatus: 1}
	for _, line := range strings.Split(string(data), "\n") {
		key, value, found := strings.Cut(line, "=")
		switch {
		case !found:
		case key == "goroot":
			cfg.goroot = value
		case key == "version":
			cfg.version = value
		case key == "modinfo":
			cfg.modinfo = value
		case key == "failure_status":
			fmt.Sscanf(value, "%d", &cfg.failureStatus)
		case strings.HasPrefix(key, "env."):
			cfg.env[strings.TrimPrefix(key, "env.")] = value
		}
	}
	if cfg.goroot == "" || cfg.version != runtime.Version() {
		return nil, errors.New("go-build.conf is not this toolchain's")
	}
	return cfg, nil
}

func sameEnvironment(cfg *config) bool {
	for _, name := range buildVariables {
		if os.Getenv(name) != cfg.env[name] {
			return false
		}
	}
	return true
}

// hasModuleFile: a go.mod or go.work in the directory or above puts go build in that module.
func hasModuleFile(dir string) bool {
	for {
		for _, name := range []string{"go.mod", "go.work"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				return true
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

// hasUserGoEnv: settings written by `go env -w` change go build.
func hasUserGoEnv() bool {
	dir, err := os.UserConfigDir()
	if err != nil {
		return true
	}
	_, err = os.Stat(filepath.Join(dir, "go", "env"))
	return err == nil
}

// readImportcfg: the standard library's packages, as `packagefile path=file` lines.
func readImportcfg() (map[string]string, error) {
	file, err := os.Open(stdImportcfg)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	std := map[string]string{}
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		if path, archive, found := strings.Cut(strings.TrimPrefix(scanner.Text(), "packagefile "), "="); found {
			std[path] = archive
		}
	}
	return std, scanner.Err()
}

// loadMain reads the files' package clauses and imports as go build does (go/build, restricted to the named
// files) and accepts only a plain package main in the current directory importing prebuilt standard packages.
// It returns the files as the compiler is given them (./name.go) and the package's imports.
func loadMain(cwd string, files []string, std map[string]string) ([]string, []string, bool) {
	infos := make([]fs.FileInfo, 0, len(files))
	for _, file := range files {
		path := file
		if !filepath.IsAbs(path) {
			path = filepath.Join(cwd, path)
		}
		info, err := os.Stat(path)
		if err != nil || !info.Mode().IsRegular() || filepath.Dir(path) != cwd {
			return nil, nil, false
		}
		content, err := os.ReadFile(path)
		if err != nil || bytes.Contains(content, []byte("//go:debug")) {
			return nil, nil, false
		}
		infos = append(infos, info)
	}
	ctxt := build.Default
	ctxt.ReadDir = func(string) ([]fs.FileInfo, error) { return infos, nil }
	pkg, err := ctxt.ImportDir(cwd, 0)
	if err != nil || pkg.Name != "main" || len(pkg.GoFiles) != len(files) || len(pkg.CgoFiles) > 0 ||
		len(pkg.IgnoredGoFiles) > 0 || len(pkg.InvalidGoFiles) > 0 || len(pkg.EmbedPatterns) > 0 {
		return nil, nil, false
	}
	for _, path := range pkg.Imports {
		if path == "unsafe" {
			continue
		}
		if _, prebuilt := std[path]; !prebuilt || restricted(path) {
			return nil, nil, false
		}
	}
	names := make([]string, len(pkg.GoFiles))
	for i, name := range pkg.GoFiles {
		names[i] = "./" + name
	}
	return names, pkg.Imports, true
}

// restricted: packages a program outside the standard library may not import (go build says why).
func restricted(path string) bool {
	for _, element := range strings.Split(path, "/") {
		if element == "internal" || element == "vendor" {
			return true
		}
	}
	return strings.HasPrefix(path, "cmd/")
}

// replaceable: go build overwrites only an earlier executable, never a directory or another kind of file.
func replaceable(output string) bool {
	info, err := os.Stat(output)
	if os.IsNotExist(err) {
		return true
	}
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	file, err := os.Open(output)
	if err != nil {
		return false
	}
	defer file.Close()
	magic := make([]byte, 4)
	n, _ := file.Read(magic)
	return n == 0 || bytes.Equal(magic[:n], []byte("\x7fELF"))
}

func compileAndLink(cfg *config, std map[string]string, work, cwd string, files, imports []string, output, checkID string) (int, error) {
	tools := filepath.Join(cfg.goroot, "pkg", "tool", runtime.GOOS+"_"+runtime.GOARCH)
	object := filepath.Join(work, "_pkg_.a")
	var importcfg strings.Builder
	importcfg.WriteString("# import config\n")
	for _, path := range imports {
		if path != "unsafe" {
			fmt.Fprintf(&importcfg, "packagefile %s=%s\n", path, std[path])
		}
	}
	if err := os.WriteFile(filepath.Join(work, "importcfg"), []byte(importcfg.String()), 0o644); err != nil {
		return 0, err
	}
	compile := []string{
		"-o", object, "-trimpath", work + "=>", "-p", "main",
	}
	if lang := langFlag(cfg.version); lang != "" {
		compile = append(compile, lang)
	}
	compile = append(compile, "-complete", "-goversion", cfg.version, fmt.Sprintf("-c=%d", backendConcurrency()),
		"-nolocalimports", "-importcfg", filepath.Join(work, "importcfg"), "-pack")
	compile = append(compile, files...)
	if failed, err := runTool(filepath.Join(tools, "compile"), compile, cwd, work, nil); failed || err != nil {
		return cfg.failureStatus, err
	}

	link := "packagefile command-line-arguments=" + object + "\n"
	for path, archive := range std {
		link += "packagefile " + path + "=" + archive + "\n"
	}
	if cfg.modinfo != "" {
		link += cfg.modinfo + "\n"
	}
	if err := os.WriteFile(filepath.Join(work, "importcfg.link"), []byte(link), 0o644); err != nil {
		return 0, err
	}
	executable := filepath.Join(work, "a.out")
	linkArgs := []string{"-o", executable, "-importcfg", filepath.Join(work, "importcfg.link"), "-buildmode=exe"}
	if checkID != "" {
		linkArgs = append(linkArgs, "-buildid="+checkID)
	} else {
		// DWARF is most of the link's time, and nothing but a debugger reads it; the ELF symbol table (-s) only
		// debuggers and nm: tracebacks, runtime.Caller and profiles read the pclntab, which stays.
		linkArgs = append(linkArgs, "-s", "-w", "-buildid="+buildID(object))
	}
	linkArgs = append(linkArgs, "-extld=gcc", object)
	env := []string{"GOROOT=" + cfg.goroot}
	if failed, err := runTool(filepath.Join(tools, "link"), linkArgs, cwd, work, env); failed || err != nil {
		return cfg.failureStatus, err
	}
	if err := os.Rename(executable, output); err != nil {
		return 0, err
	}
	return 0, nil
}

// langFlag: since Go 1.21, go build gives a package outside any module the toolchain's language version.
func langFlag(version string) string {
	var major, minor int
	if _, err := fmt.Sscanf(version, "go%d.%d", &major, &minor); err != nil || major != 1 || minor < 21 {
		return ""
	}
	return fmt.Sprintf("-lang=go%d.%d", major, minor)
}

// backendConcurrency: go build's -c for one package, min(4, GOMAXPROCS).
func backendConcurrency() int {
	if n := runtime.GOMAXPROCS(0); n < 4 {
		return n
	}
	return 4
}

// buildID: the shape of go build's (four 20-character hashes), so that the binary's layout is the same; the
// value is the compiled package's hash. Nothing at run time reads it.
func buildID(object string) string {
	sum := sha256.New()
	if data, err := os.ReadFile(object); err == nil {
		sum.Write(data)
	}
	part := base64.RawURLEncoding.EncodeToString(sum.Sum(nil))[:20]
	return part + "/" + part + "/" + part + "/" + part
}

// runTool runs compile or link in dir. On failure its output goes to stderr as go build shows it: under
// `# command-line-arguments`, with dir written as `.` and the work directory as `$WORK`.
func runTool(tool string, args []string, dir, work string, env []string) (failed bool, err error) {
	cmd := exec.Command(tool, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if os.Getenv("GOGC") == "" {
		// Fewer collections in a short-lived tool: a sixth less time for a small program's link, no other change.
		cmd.Env = append(cmd.Env, "GOGC=400")
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return false, err
	}
	if len(out) > 0 {
		text := strings.ReplaceAll(string(out), dir+"/", "./")
		text = strings.ReplaceAll(text, work, "$WORK")
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		os.Stderr.WriteString("# command-line-arguments\n" + text)
	}
	return err != nil, nil
}

// seedCache gives a session's empty build cache the standard library the image holds, as symbolic links: go
// build then compiles only what is not the standard library. Done once, into a new directory renamed into
// place, so that a cache is either whole or absent.
func seedCache() {
	cache := os.Getenv("GOCACHE")
	if cache == "" || cache == "off" || !filepath.IsAbs(cache) {
		return
	}
	if _, err := os.Lstat(cache); !os.IsNotExist(err) {
		return
	}
	if err := os.MkdirAll(filepath.Dir(cache), 0o755); err != nil {
		return
	}
	seed, err := os.MkdirTemp(filepath.Dir(cache), ".seed-")
	if err != nil {
		return
	}
	err = filepath.WalkDir(stdCache, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		relative, _ := filepath.Rel(stdCache, path)
		target := filepath.Join(seed, relative)
		switch {
		case entry.IsDir():
			return os.MkdirAll(target, 0o755)
		case filepath.Dir(relative) == ".":
			// README, trim.txt: the session's own, written by go build.
			return nil
		default:
			return os.Symlink(path, target)
		}
	})
	if err != nil || os.Rename(seed, cache) != nil {
		os.RemoveAll(seed)
	}
}

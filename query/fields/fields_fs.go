package fields

import (
	"strings"

	"forensics/event"
)

// Extractors of the fs.path.* fields: the paths file-system calls
// operate on, from their exit events' parameters (not in sysdig 0.29.3;
// after libs' sinsp_filtercheck_fspath.cpp).

// fsPaths says which parameters of a call hold its path, or its source
// and target, and the dirfd parameter each is relative to ("" for
// FSPATH, resolved against the working directory).
type fsPaths struct {
	path, pathDir     string
	source, sourceDir string
	target, targetDir string
}

var fsCalls = map[string]fsPaths{
	"open": {path: "name"}, "creat": {path: "name"}, "openat": {path: "name", pathDir: "dirfd"},
	"openat2": {path: "name", pathDir: "dirfd"},
	"mkdir":   {path: "path"}, "mkdirat": {path: "path", pathDir: "dirfd"}, "rmdir": {path: "path"},
	"unlink": {path: "path"}, "unlinkat": {path: "name", pathDir: "dirfd"},
	"chmod": {path: "filename"}, "fchmodat": {path: "filename", pathDir: "dirfd"},
	"chown": {path: "path"}, "lchown": {path: "path"}, "fchownat": {path: "pathname", pathDir: "dirfd"},
	"mknod": {path: "path"}, "mknodat": {path: "path", pathDir: "dirfd"},
	"umount": {path: "name"}, "umount2": {path: "name"},
	// rename: from the old path to the new one.
	"rename":    {source: "oldpath", target: "newpath"},
	"renameat":  {source: "oldpath", sourceDir: "olddirfd", target: "newpath", targetDir: "newdirfd"},
	"renameat2": {source: "oldpath", sourceDir: "olddirfd", target: "newpath", targetDir: "newdirfd"},
	// link: the new link is the source, the file it links to the target.
	"link":   {source: "newpath", target: "oldpath"},
	"linkat": {source: "newpath", sourceDir: "newdir", target: "oldpath", targetDir: "olddir"},
	// symlink: the link path is the source, its content the target (kept
	// as written: a symlink's target is not resolved).
	"symlink":   {source: "linkpath", target: "target"},
	"symlinkat": {source: "linkpath", sourceDir: "linkdirfd", target: "target"},
}

// fsPath returns the raw value of a path parameter of the event's call
// and, when resolve is set, the path made absolute: against the working
// directory, or the dirfd when it is AT_FDCWD. A path relative to another
// dirfd cannot be resolved from the event and is missing.
func fsPath(c *Ctx, pick func(fsPaths) (param, dir string), resolve bool) (Value, bool) {
	ev := c.Ev
	if ev.Dir() != event.DirExit {
		return Value{}, false
	}
	calls, ok := fsCalls[factOf(ev.Type).name]
	if !ok {
		return Value{}, false
	}
	param, dir := pick(calls)
	if param == "" {
		return Value{}, false
	}
	raw, ok := paramStr(ev, param)
	if !ok {
		return Value{}, false
	}
	if !resolve || calls.symlinkTarget(param) {
		return Str(raw), true
	}
	if strings.HasPrefix(raw, "/") {
		return Str(resolvePath("", raw)), true
	}
	if dir != "" {
		if d, ok := paramInt(ev, dir); ok && d != atFDCWD {
			if openCalls[factOf(ev.Type).name] && fdKnown(ev) && ev.FD.Num >= 0 {
				return Str(ev.FD.Name), true
			}
			return Value{}, false
		}
	}
	return Str(resolvePath(cwdOf(c), raw)), true
}

// symlinkTarget reports whether param is a symlink's content.
func (f fsPaths) symlinkTarget(param string) bool { return param == "target" && f.source == "linkpath" }

func pickPath(f fsPaths) (string, string)   { return f.path, f.pathDir }
func pickSource(f fsPaths) (string, string) { return f.source, f.sourceDir }
func pickTarget(f fsPaths) (string, string) { return f.target, f.targetDir }

func extFSPathName(c *Ctx) (Value, bool)      { return fsPath(c, pickPath, true) }
func extFSPathNameRaw(c *Ctx) (Value, bool)   { return fsPath(c, pickPath, false) }
func extFSPathSource(c *Ctx) (Value, bool)    { return fsPath(c, pickSource, true) }
func extFSPathSourceRaw(c *Ctx) (Value, bool) { return fsPath(c, pickSource, false) }
func extFSPathTarget(c *Ctx) (Value, bool)    { return fsPath(c, pickTarget, true) }
func extFSPathTargetRaw(c *Ctx) (Value, bool) { return fsPath(c, pickTarget, false) }

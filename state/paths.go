package state

import "strings"

// maxPath bounds a resolved path, like the kernel's PATH_MAX.
const maxPath = 4096

// joinPath resolves path against dir as sinsp does for relative paths:
// an absolute path stands alone; "." and ".." components and repeated
// slashes are folded; the result never climbs above "/".
func joinPath(dir, path string) string {
	if path == "" {
		return dir
	}
	full := path
	if path[0] != '/' {
		if dir == "" {
			dir = "/"
		}
		full = dir + "/" + path
	}
	if len(full) > maxPath {
		return full[:maxPath]
	}
	return clean(full)
}

// clean folds "//", "/./" and "/../" in an absolute path. Unlike
// path.Clean it keeps a trailing slash off and never returns "".
func clean(p string) string {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		if len(p) > 1 && strings.HasSuffix(p, "/") {
			return p[:len(p)-1]
		}
		return p
	}
	parts := strings.Split(p, "/")
	out := parts[:0]
	for _, s := range parts {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	return "/" + strings.Join(out, "/")
}

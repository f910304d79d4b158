package state

import "strings"

// ContainerID derives a container id from a process's cgroups
// ("subsys=path" entries): the first 12 hex digits of the 64-digit id that
// docker ("/docker/ID", "docker-ID.scope"), containerd
// ("cri-containerd-ID.scope", "/kubepods/.../ID"), cri-o ("crio-ID.scope")
// and podman ("libpod-ID.scope") put in the path. It returns "" for a
// process on the host.
func ContainerID(cgroups []string) string {
	for _, cg := range cgroups {
		path := cg
		if i := strings.IndexByte(cg, '='); i >= 0 {
			path = cg[i+1:]
		}
		if id := idInPath(path); id != "" {
			return id
		}
	}
	return ""
}

func idInPath(path string) string {
	for _, seg := range strings.Split(path, "/") {
		seg = strings.TrimSuffix(seg, ".scope")
		for _, prefix := range []string{"docker-", "cri-containerd-", "crio-", "libpod-", "containerd-"} {
			seg = strings.TrimPrefix(seg, prefix)
		}
		if len(seg) == 64 && isHex(seg) {
			return seg[:12]
		}
	}
	return ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

package fields

import "forensics/event"

// Fields the official Falco rules use that sysdig 0.29.3 lacks, after
// current libs (fields.md §3): the open-flag tests and the container and
// Kubernetes metadata a capture cannot know (always missing, as
// container.image).

func falcoFields() []*Field {
	return []*Field{
		field("evt.is_open_read", TBool, "true for open, openat, openat2 and open_by_handle_at events whose flags have the read bit (O_RDONLY or O_RDWR)", openFlagTest(oRead)),
		field("evt.is_open_write", TBool, "true for open-family events whose flags have the write bit (O_WRONLY or O_RDWR)", openFlagTest(oWrite)),
		field("evt.is_open_exec", TBool, "true for open-family and creat events that create a file (O_CREAT or O_TMPFILE) with a mode that has an execute bit", extIsOpenExec),
		field("evt.is_open_create", TBool, "true for open-family events that created the file (O_F_CREATED), or a successful O_TMPFILE open", extIsOpenCreate),
		field("fd.connected", TBool, "true when the fd is a connected socket (the process holds the client or the server end of a connection)", extFDConnected),
		field("container.image.repository", TString, "image repository of the container: missing, a capture has no container metadata", missing),
		field("container.image.tag", TString, "image tag of the container: missing, a capture has no container metadata", missing),
		field("container.privileged", TBool, "whether the container is privileged: missing, a capture has no container metadata", missing),
		field("k8s.ns.name", TString, "Kubernetes namespace of the pod: missing, a capture has no container metadata", missing),
		field("k8s.pod.name", TString, "Kubernetes pod name: missing, a capture has no container metadata", missing),
	}
}

// PPM open flags (render's file_flags).
const (
	oRead      = 0x1
	oWrite     = 0x2
	oCreat     = 0x4
	oTmpfile   = 0x2000
	oFCreated  = 0x4000
	modeExecXs = 0o111
)

// openFamily are the calls evt.is_open_* look at.
var openFamily = map[string]bool{"open": true, "openat": true, "openat2": true, "open_by_handle_at": true}

func missing(*Ctx) (Value, bool) { return Value{}, false }

// openFlags returns the flags of an open-family event: its flags
// parameter, else those its fd was opened with.
func openFlags(ev *event.Event) (uint32, bool) {
	if !openFamily[factOf(ev.Type).name] {
		return 0, false
	}
	if f, ok := paramInt(ev, "flags"); ok {
		return uint32(f), true
	}
	if fdKnown(ev) {
		return ev.FD.OpenFlags, true
	}
	return 0, true
}

func openFlagTest(bit uint32) Extractor {
	return func(c *Ctx) (Value, bool) {
		f, ok := openFlags(c.Ev)
		return Bool(ok && f&bit != 0), true
	}
}

func extIsOpenExec(c *Ctx) (Value, bool) {
	ev := c.Ev
	f, ok := openFlags(ev)
	creat := factOf(ev.Type).name == "creat"
	if !ok && !creat {
		return Bool(false), true
	}
	if !creat && f&(oCreat|oTmpfile) == 0 {
		return Bool(false), true
	}
	mode, ok := paramInt(ev, "mode")
	return Bool(ok && mode&modeExecXs != 0), true
}

func extIsOpenCreate(c *Ctx) (Value, bool) {
	f, ok := openFlags(c.Ev)
	if !ok {
		return Bool(false), true
	}
	if f&oFCreated != 0 {
		return Bool(true), true
	}
	res, ok := rawRes(c.Ev)
	return Bool(f&oTmpfile != 0 && ok && res >= 0), true
}

func extFDConnected(c *Ctx) (Value, bool) {
	v, ok := fdOf(c)
	if !ok || v.fd == nil {
		return Value{}, false
	}
	switch v.fd.Type {
	case event.FDIPv4Sock, event.FDIPv6Sock, event.FDUnixSock:
		return Bool(v.fd.Role == event.RoleClient || v.fd.Role == event.RoleServer), true
	}
	return Bool(false), true
}

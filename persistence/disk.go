package persistence

import (
	"errors"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Pebble treats a failed write to its WAL or MANIFEST as fatal and exits.
// cairn must not: before it writes, it checks that the disk can take the
// write, and while it cannot, writes are refused with MISCONF and the
// records wait in memory. What Pebble needs beyond a commit is room to
// flush its memtables and start a new WAL, hence the margin.
const minFreeSpace = 4 * memTableSize

// errNoSpace and errReadOnly are reported as strerror would word them, as
// Redis reports a failed AOF write.
var (
	errNoSpace  = errors.New("No space left on device")
	errReadOnly = errors.New("Read-only file system")
	errNoAccess = errors.New("Permission denied")
)

// diskCheck checks the data directory's filesystem, at most every
// interval while it is fine, at every call while it is not.
type diskCheck struct {
	dir      string
	interval time.Duration
	// minFree is the free space required.
	minFree uint64

	mu     sync.Mutex
	last   time.Time
	lastOK bool
}

func newDiskCheck(dir string) *diskCheck {
	return &diskCheck{dir: dir, interval: 100 * time.Millisecond, minFree: minFreeSpace}
}

// check returns the fault that makes writing unsafe, or nil.
func (d *diskCheck) check() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	if d.lastOK && now.Sub(d.last) < d.interval {
		return nil
	}
	err := d.probe()
	d.last, d.lastOK = now, err == nil
	return err
}

func (d *diskCheck) probe() error {
	var st unix.Statfs_t
	if err := unix.Statfs(d.dir, &st); err != nil {
		return err
	}
	if st.Flags&unix.ST_RDONLY != 0 {
		return errReadOnly
	}
	if uint64(st.Bavail)*uint64(st.Bsize) < d.minFree {
		return errNoSpace
	}
	// Permission bits: root passes whatever they say.
	if err := unix.Access(d.dir, unix.W_OK); err != nil {
		if errors.Is(err, syscall.EROFS) {
			return errReadOnly
		}
		return errNoAccess
	}
	return nil
}

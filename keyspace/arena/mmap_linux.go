package arena

import "syscall"

// reserve maps n bytes of anonymous memory; the kernel backs a page only
// when it is first written.
func reserve(n int) []byte {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE|syscall.MAP_NORESERVE)
	if err != nil {
		panic("arena: mmap: " + err.Error())
	}
	return b
}

// release returns a page's memory to the kernel; it reads as zeros after.
func release(b []byte) {
	if err := syscall.Madvise(b, syscall.MADV_DONTNEED); err != nil {
		clear(b)
	}
}

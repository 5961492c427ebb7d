package datatypes

// sizeClasses are the sizes the Go allocator gives small objects (Go
// 1.26's internal/runtime/gc/sizeclasses.go); an allocation takes the
// least that holds it.
var sizeClasses = [...]uint16{
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224,
	240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768,
	896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200,
	3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
	10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760,
	24576, 27264, 28672, 32768,
}

const (
	maxSmallAlloc = 32768
	heapPage      = 8192
	// smallStepMax: the classes up to it are multiples of 8, the others
	// multiples of 128, so two tables indexed by those steps give any
	// size's class, as the runtime's own do.
	smallStepMax = 1024
	// mallocHeader is the word the allocator puts before a small object
	// of over ptrHeaderMin bytes that holds pointers: its type, where the
	// collector finds them.
	mallocHeader = 8
	ptrHeaderMin = 512
)

var (
	// allocBy8[(n+7)/8] is AllocSize(n) for n <= smallStepMax.
	allocBy8 [smallStepMax/8 + 1]uint16
	// allocBy128[(n-smallStepMax+127)/128] is AllocSize(n) for larger
	// small n.
	allocBy128 [(maxSmallAlloc-smallStepMax)/128 + 1]uint16
)

func init() {
	c := 0
	for i := range allocBy8 {
		for int(sizeClasses[c]) < 8*i {
			c++
		}
		allocBy8[i] = sizeClasses[c]
	}
	for i := range allocBy128 {
		for int(sizeClasses[c]) < smallStepMax+128*i {
			c++
		}
		allocBy128[i] = sizeClasses[c]
	}
}

// AllocSize is the bytes the Go heap takes for an allocation of n bytes
// that holds no pointers (a []byte): n rounded up to its size class, or
// past 32 KiB to whole 8 KiB pages. A slice's capacity is only what was
// asked for, so MemoryUsage counts every allocation through AllocSize:
// its figures then add up to what the heap holds.
func AllocSize(n int) int {
	switch {
	case n <= 0:
		return 0
	case n <= smallStepMax:
		return int(allocBy8[(n+7)/8])
	case n <= maxSmallAlloc:
		return int(allocBy128[(n-smallStepMax+127)/128])
	}
	return (n + heapPage - 1) &^ (heapPage - 1)
}

// ptrAllocSize is AllocSize for an allocation that holds pointers (a
// struct, a slice of slices), which may carry a malloc header.
func ptrAllocSize(n int) int {
	if n > ptrHeaderMin && n <= maxSmallAlloc-mallocHeader {
		return AllocSize(n + mallocHeader)
	}
	return AllocSize(n)
}

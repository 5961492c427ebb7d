package rdb

// This file ports LZF as Debian's redis-server 7.0 has it: the system
// liblzf 3.6 (lzf_c.c with its defaults: HLOG 16, VERY_FAST and the
// multiplicative hash), not the older copy in Redis's source tree, whose
// hash differs. So compressed strings come out byte for byte as theirs.
// liblzf leaves its hash table uninitialised, so Redis may now and then
// find a match through a stale slot that a fresh table lacks; this port
// always starts fresh.
//
// The compressed format is a sequence of
//
//	000LLLLL <L+1 bytes>           literal run of L+1 bytes
//	LLLooooo oooooooo              back reference of L+2 bytes (L < 7)
//	111ooooo LLLLLLLL oooooooo     back reference of L+9 bytes
//
// where the offset o+1 counts back from the end of the output so far.

const (
	lzfHLog   = 16
	lzfHSize  = 1 << lzfHLog
	lzfMaxLit = 1 << 5
	lzfMaxOff = 1 << 13
	lzfMaxRef = 1<<8 + 1<<3
)

// lzfState is the compressor's hash table, kept between calls so that it
// is allocated and cleared once: a slot holds base+position of the last
// input position whose three bytes hashed to it, and counts as empty if
// it is below the current call's base.
type lzfState struct {
	htab [lzfHSize]uint32
	base uint32
}

func lzfIndex(h uint32) uint32 {
	return (h * 0x1e35a7bd >> (32 - lzfHLog - 8)) & (lzfHSize - 1)
}

// compress appends the LZF compression of in to dst, as lzf_compress with
// room for outLen bytes, and reports false if it would not fit.
func (st *lzfState) compress(dst, in []byte, outLen int) ([]byte, bool) {
	n := len(in)
	if n == 0 || outLen == 0 {
		return dst, false
	}
	if uint64(st.base)+uint64(n)+1 > 1<<32-1 {
		st.htab = [lzfHSize]uint32{}
		st.base = 0
	}
	base := st.base + 1
	st.base += uint32(n) + 1
	start := len(dst)
	// op indexes out, which has room for outLen bytes; the run header of
	// the current literal run is at op-lit-1.
	full := append(dst, make([]byte, outLen)...)
	out := full[start:]
	op, ip, lit := 1, 0, 0
	var hval uint32
	if n >= 2 {
		hval = uint32(in[0])<<8 | uint32(in[1])
	}
	for ip < n-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := &st.htab[lzfIndex(hval)]
		ref := -1
		if *slot >= base {
			ref = int(*slot - base)
		}
		*slot = base + uint32(ip)
		// A reference to position 0 is never taken (lzf_c.c checks
		// ref > in_data).
		if ref > 0 && ip-ref-1 < lzfMaxOff &&
			in[ref] == in[ip] && in[ref+1] == in[ip+1] && in[ref+2] == in[ip+2] {
			off := ip - ref - 1
			maxLen := min(n-ip-2, lzfMaxRef)
			undo := 0
			if lit == 0 {
				undo = 1
			}
			if op-undo+3+1 >= outLen {
				return dst, false
			}
			out[op-lit-1] = byte(lit - 1)               // stop run
			op -= undo                                  // undo run if length is zero
			length := matchLen(in, ref, ip, maxLen) - 2 // the field: bytes - 2
			ip++
			if length < 7 {
				out[op] = byte(off>>8 + length<<5)
				op++
			} else {
				out[op] = byte(off>>8 + 7<<5)
				out[op+1] = byte(length - 7)
				op += 2
			}
			out[op] = byte(off)
			op += 2 // start a new run
			lit = 0
			ip += length + 1
			if ip >= n-2 {
				break
			}
			// VERY_FAST: hash the last two positions of the match.
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			st.htab[lzfIndex(hval)] = base + uint32(ip)
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			st.htab[lzfIndex(hval)] = base + uint32(ip)
			ip++
			continue
		}
		if op >= outLen {
			return dst, false
		}
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	if op+3 > outLen {
		return dst, false
	}
	for ip < n {
		lit++
		out[op] = in[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	out[op-lit-1] = byte(lit - 1)
	if lit == 0 {
		op--
	}
	return full[:start+op], true
}

// matchLen returns how many bytes from ip repeat those from ref, given
// that the first three do, as lzf_c.c's match loop counts them: past a
// limit of 16 it compares up to 18 bytes before looking at the limit, so
// a match may end up to 2 bytes past maxLen (still within the input).
func matchLen(in []byte, ref, ip, maxLen int) int {
	n := 2
	if maxLen > 16 {
		for n < 18 {
			n++
			if in[ref+n] != in[ip+n] {
				return n
			}
		}
	}
	n++
	for n < maxLen && in[ref+n] == in[ip+n] {
		n++
	}
	return n
}

// lzfDecompress decompresses in, which must expand to exactly outLen
// bytes. It checks every reference against the input and the output, and
// allocates as the output grows rather than outLen up front, so a corrupt
// length cannot make it allocate more than the input can expand to.
func lzfDecompress(in []byte, outLen int) ([]byte, error) {
	out := make([]byte, 0, min(outLen, 1<<16))
	for ip := 0; ip < len(in); {
		ctrl := int(in[ip])
		ip++
		if ctrl < 1<<5 {
			n := ctrl + 1
			if n > len(in)-ip || n > outLen-len(out) {
				return nil, corrupt("LZF literal run past the end")
			}
			out = append(out, in[ip:ip+n]...)
			ip += n
			continue
		}
		n := ctrl >> 5
		if n == 7 {
			if ip >= len(in) {
				return nil, corrupt("truncated LZF reference")
			}
			n += int(in[ip])
			ip++
		}
		if ip >= len(in) {
			return nil, corrupt("truncated LZF reference")
		}
		ref := len(out) - (ctrl&0x1f)<<8 - int(in[ip]) - 1
		ip++
		n += 2
		if ref < 0 || n > outLen-len(out) {
			return nil, corrupt("LZF reference out of bounds")
		}
		// The reference may overlap what it produces: copy byte by byte.
		for i := range n {
			out = append(out, out[ref+i])
		}
	}
	if len(out) != outLen {
		return nil, corrupt("LZF data expands to %d bytes, not %d", len(out), outLen)
	}
	return out, nil
}

package hll

// The dense registers are 6-bit integers packed from the least significant
// bit of each byte on: register i starts at bit 6*i of the registers.
//
//	+--------+--------+--------+------//
//	|11000000|22221111|33333322|55444444
//	+--------+--------+--------+------//
//
// Redis reads and writes two bytes for every register, relying on the
// string's terminating zero for the last one; a register that starts at
// bit 0 or 2 of its byte lies in that byte alone, so only the others touch
// the next byte here, and the last register (bit 2) never reaches past the
// registers.

// DenseRegister returns register i of the dense registers regs
// (HLL_DENSE_GET_REGISTER).
func DenseRegister(regs []byte, i int) uint8 {
	pos := i * Bits
	byt, fb := pos>>3, uint(pos&7)
	v := uint(regs[byt]) >> fb
	if fb > 8-Bits {
		v |= uint(regs[byt+1]) << (8 - fb)
	}
	return uint8(v & RegisterMax)
}

// setDenseRegister sets register i of regs to v (HLL_DENSE_SET_REGISTER).
func setDenseRegister(regs []byte, i int, v uint8) {
	pos := i * Bits
	byt, fb := pos>>3, uint(pos&7)
	regs[byt] = regs[byt]&^byte(RegisterMax<<fb) | byte(uint(v)<<fb)
	if fb > 8-Bits {
		regs[byt+1] = regs[byt+1]&^byte(RegisterMax>>(8-fb)) | byte(uint(v)>>(8-fb))
	}
}

// denseSet raises register index of regs to count if it is below, and
// reports whether it did (hllDenseSet).
func denseSet(regs []byte, index int, count uint8) bool {
	if count > DenseRegister(regs, index) {
		setDenseRegister(regs, index, count)
		return true
	}
	return false
}

// DenseAdd adds ele to the dense registers regs and reports whether a
// register changed (hllDenseAdd).
func DenseAdd(regs []byte, ele []byte) bool {
	index, count := PatLen(ele)
	return denseSet(regs, index, count)
}

// DenseChanges reports whether adding ele would change the dense HLL b,
// without changing it: PFADD then need not copy it.
func DenseChanges(b []byte, ele []byte) bool {
	index, count := PatLen(ele)
	return count > DenseRegister(b[HeaderSize:], index)
}

// denseHisto adds to h the number of dense registers of regs at each
// value (hllDenseRegHisto), sixteen registers (twelve bytes) at a time.
func denseHisto(regs []byte, h *[64]int) {
	regs = regs[:Registers*Bits/8]
	for len(regs) >= 12 {
		r := regs[:12:12]
		h[r[0]&63]++
		h[(r[0]>>6|r[1]<<2)&63]++
		h[(r[1]>>4|r[2]<<4)&63]++
		h[(r[2]>>2)&63]++
		h[r[3]&63]++
		h[(r[3]>>6|r[4]<<2)&63]++
		h[(r[4]>>4|r[5]<<4)&63]++
		h[(r[5]>>2)&63]++
		h[r[6]&63]++
		h[(r[6]>>6|r[7]<<2)&63]++
		h[(r[7]>>4|r[8]<<4)&63]++
		h[(r[8]>>2)&63]++
		h[r[9]&63]++
		h[(r[9]>>6|r[10]<<2)&63]++
		h[(r[10]>>4|r[11]<<4)&63]++
		h[(r[11]>>2)&63]++
		regs = regs[12:]
	}
}

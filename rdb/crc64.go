package rdb

import "hash/crc64"

// crcTable is Redis's CRC-64 (crc64.c, "Jones"): polynomial
// 0xad93d23594c935a9, reflected; hash/crc64 takes it bit-reversed.
var crcTable = crc64.MakeTable(0x95ac9329ac4bc9b5)

// crc64Update continues Redis's crc64(crc, p): unlike hash/crc64's
// checksums, it starts from 0 and inverts nothing.
func crc64Update(crc uint64, p []byte) uint64 {
	return ^crc64.Update(^crc, crcTable, p)
}

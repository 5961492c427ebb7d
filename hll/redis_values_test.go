// Values captured from redis-server 7.0.15 (Debian 7.0.15-1~deb12u10) with
// PFADD, GET, PFDEBUG and PFCOUNT.

package hll

// redisPatLens are, for elements of every length up to 20 and some of
// binary bytes, the register and run length Redis found: PFADD of the
// element alone into a new key, then PFDEBUG DECODE.
var redisPatLens = []struct {
	ele   string
	index int
	count uint8
}{
	{"", 5938, 2},
	{"a", 12711, 2},
	{"foo", 7348, 5},
	{"hello world", 9399, 4},
	{"x", 16374, 2},
	{"xx", 1289, 1},
	{"xxx", 8026, 6},
	{"xxxx", 11435, 1},
	{"xxxxx", 9577, 1},
	{"xxxxxx", 10446, 1},
	{"xxxxxxx", 4290, 2},
	{"xxxxxxxx", 5076, 2},
	{"xxxxxxxxx", 2779, 5},
	{"xxxxxxxxxx", 1893, 5},
	{"xxxxxxxxxxx", 10224, 4},
	{"xxxxxxxxxxxx", 2948, 2},
	{"xxxxxxxxxxxxx", 4709, 1},
	{"xxxxxxxxxxxxxx", 6417, 2},
	{"xxxxxxxxxxxxxxx", 12070, 1},
	{"xxxxxxxxxxxxxxxx", 10349, 1},
	{"xxxxxxxxxxxxxxxxx", 13758, 2},
	{"xxxxxxxxxxxxxxxxxx", 11450, 2},
	{"xxxxxxxxxxxxxxxxxxx", 15034, 5},
	{"xxxxxxxxxxxxxxxxxxxx", 3584, 1},
	{"\x00", 8840, 2},
	{"\x00\x00\x00\x00\x00\x00\x00\x00", 849, 1},
	{"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7", 5570, 1},
	{"\xbdE.\x80\x00", 13178, 33},
	{"\x01\xffME\x01", 9688, 34},
	{"0123456789abcdef", 5949, 1},
	{"0123456789abcdefg", 14057, 2},
}

// redisCounts are the HLLs Redis makes of the elements "1" to "n" (added
// 500 at a time) with hll-sparse-max-bytes at sparseMax: the SHA-1 of the
// string GET returns, its length and encoding, and PFCOUNT.
var redisCounts = []struct {
	n         int
	sparseMax int64
	sha1      string
	length    int
	encoding  string
	count     uint64
}{
	{0, 3000, "e2c2a4d6f667db2d3180523f3c7a9bda5a4db0fc", 18, "sparse", 0},
	{1, 3000, "25b487e0466cb7c90ceb12410d768f993de5df0d", 21, "sparse", 1},
	{2, 3000, "beb575d69caea4f275a50dd743e41c6a24d00d32", 24, "sparse", 2},
	{3, 3000, "1fd9eb6d9dfe9fa3e6bafbdffbd04fb90b96fa88", 27, "sparse", 3},
	{5, 3000, "8ed5853cdd41fd58cb2d35e37198314e5ec7fd51", 33, "sparse", 5},
	{10, 3000, "d6e0d6f312d6ebc4f2db5a464ded6a895003a775", 47, "sparse", 10},
	{20, 3000, "f5512cc291446ac8c83efc65ca2304fd42b325f8", 77, "sparse", 20},
	{50, 3000, "492abf971c5b71bcdfa9579b396197ae9b0aff2f", 161, "sparse", 50},
	{100, 3000, "12f68f521899ae4990e26d0c6bc9d0bf7dd0a739", 287, "sparse", 100},
	{200, 3000, "344d02397e0171974a36fc9ac97cf4c6e4399757", 508, "sparse", 201},
	{300, 3000, "5f5ff35747b13c03d7233ac8584522a3cf934820", 698, "sparse", 302},
	{500, 3000, "96db66ca63089d7385b7b3585909e4e9a3c38fa1", 1061, "sparse", 503},
	{1000, 3000, "a1ca97c185891bb106aa0d3d2ae440fa978b6c54", 1922, "sparse", 1001},
	{1500, 3000, "dc948508c81198d1a2da2d0a7ffba9b6eece5374", 2766, "sparse", 1512},
	{2000, 3000, "56fd74278eeb3edf2545693089cbd03991f4f3d3", 12304, "dense", 2006},
	{3000, 3000, "3dac6c10dff1a436cf5c239ce20e10d455c41cc8", 12304, "dense", 3005},
	{5000, 3000, "10bbe9b2aa7a695b25cf93a79588aed0a3c73a0f", 12304, "dense", 4985},
	{10000, 3000, "7109b4e153481d98514abf54ece5337dbaf53090", 12304, "dense", 9988},
	{20000, 3000, "feec235dab08d2b5cabdc62bd2c4f1bc5feb2e01", 12304, "dense", 19891},
	{50000, 3000, "4a1b577d22466bccdd0fe80e25a7db4fbc6f4249", 12304, "dense", 50353},
	{100000, 3000, "1d94839986ff23184bb929d15b297bae45f27d0c", 12304, "dense", 99562},
	{0, 0, "e2c2a4d6f667db2d3180523f3c7a9bda5a4db0fc", 18, "sparse", 0},
	{1, 0, "cbace976aa65065c7d40577db5a9f447b78b024c", 12304, "dense", 1},
	{2, 0, "c4ae46096b477740a176ddb98feb90bd90fdce41", 12304, "dense", 2},
	{3, 0, "146fb4b8ce9da5a331d2f21ea7ec5bc85c48d76e", 12304, "dense", 3},
	{5, 0, "072c4ac2a56ee792a1a89a780c0735bfaaeb323a", 12304, "dense", 5},
	{10, 0, "b0355b17cd17ce2e6fba98d3f1949d0eacb2a22e", 12304, "dense", 10},
	{20, 0, "1b6d8cc767288cc94130652968105d430efdac1f", 12304, "dense", 20},
	{50, 0, "e603a4ff5ce549aaaea0a3aaf85cfb1ad0d0ca47", 12304, "dense", 50},
	{100, 0, "e38332ddd439f9f86284876f980699ae4838bcdf", 12304, "dense", 100},
	{200, 0, "2b4f6e841d890f95a85e127ce6fd5e3678ac94c8", 12304, "dense", 201},
	{300, 0, "d1ac1a1e20fcfa874a7a9b7d5401bd7c989e5b83", 12304, "dense", 302},
	{500, 0, "7e776727e0b8b66ce43809f91285cd08027f55db", 12304, "dense", 503},
	{1000, 0, "99bf71e2bc9f0991751edff2d591be9156cdc421", 12304, "dense", 1001},
	{1500, 0, "9b5f8c3d6bacf0a44e616995b202aad166254e82", 12304, "dense", 1512},
	{2000, 0, "56fd74278eeb3edf2545693089cbd03991f4f3d3", 12304, "dense", 2006},
	{3000, 0, "3dac6c10dff1a436cf5c239ce20e10d455c41cc8", 12304, "dense", 3005},
	{5000, 0, "10bbe9b2aa7a695b25cf93a79588aed0a3c73a0f", 12304, "dense", 4985},
	{10000, 0, "7109b4e153481d98514abf54ece5337dbaf53090", 12304, "dense", 9988},
	{20000, 0, "feec235dab08d2b5cabdc62bd2c4f1bc5feb2e01", 12304, "dense", 19891},
	{0, 300, "e2c2a4d6f667db2d3180523f3c7a9bda5a4db0fc", 18, "sparse", 0},
	{1, 300, "25b487e0466cb7c90ceb12410d768f993de5df0d", 21, "sparse", 1},
	{2, 300, "beb575d69caea4f275a50dd743e41c6a24d00d32", 24, "sparse", 2},
	{3, 300, "1fd9eb6d9dfe9fa3e6bafbdffbd04fb90b96fa88", 27, "sparse", 3},
	{5, 300, "8ed5853cdd41fd58cb2d35e37198314e5ec7fd51", 33, "sparse", 5},
	{10, 300, "d6e0d6f312d6ebc4f2db5a464ded6a895003a775", 47, "sparse", 10},
	{20, 300, "f5512cc291446ac8c83efc65ca2304fd42b325f8", 77, "sparse", 20},
	{50, 300, "492abf971c5b71bcdfa9579b396197ae9b0aff2f", 161, "sparse", 50},
	{100, 300, "12f68f521899ae4990e26d0c6bc9d0bf7dd0a739", 287, "sparse", 100},
	{200, 300, "2b4f6e841d890f95a85e127ce6fd5e3678ac94c8", 12304, "dense", 201},
	{300, 300, "d1ac1a1e20fcfa874a7a9b7d5401bd7c989e5b83", 12304, "dense", 302},
	{500, 300, "7e776727e0b8b66ce43809f91285cd08027f55db", 12304, "dense", 503},
	{1000, 300, "99bf71e2bc9f0991751edff2d591be9156cdc421", 12304, "dense", 1001},
	{1500, 300, "9b5f8c3d6bacf0a44e616995b202aad166254e82", 12304, "dense", 1512},
	{2000, 300, "56fd74278eeb3edf2545693089cbd03991f4f3d3", 12304, "dense", 2006},
	{3000, 300, "3dac6c10dff1a436cf5c239ce20e10d455c41cc8", 12304, "dense", 3005},
	{5000, 300, "10bbe9b2aa7a695b25cf93a79588aed0a3c73a0f", 12304, "dense", 4985},
	{10000, 300, "7109b4e153481d98514abf54ece5337dbaf53090", 12304, "dense", 9988},
	{20000, 300, "feec235dab08d2b5cabdc62bd2c4f1bc5feb2e01", 12304, "dense", 19891},
	{0, 100000, "e2c2a4d6f667db2d3180523f3c7a9bda5a4db0fc", 18, "sparse", 0},
	{1, 100000, "25b487e0466cb7c90ceb12410d768f993de5df0d", 21, "sparse", 1},
	{2, 100000, "beb575d69caea4f275a50dd743e41c6a24d00d32", 24, "sparse", 2},
	{3, 100000, "1fd9eb6d9dfe9fa3e6bafbdffbd04fb90b96fa88", 27, "sparse", 3},
	{5, 100000, "8ed5853cdd41fd58cb2d35e37198314e5ec7fd51", 33, "sparse", 5},
	{10, 100000, "d6e0d6f312d6ebc4f2db5a464ded6a895003a775", 47, "sparse", 10},
	{20, 100000, "f5512cc291446ac8c83efc65ca2304fd42b325f8", 77, "sparse", 20},
	{50, 100000, "492abf971c5b71bcdfa9579b396197ae9b0aff2f", 161, "sparse", 50},
	{100, 100000, "12f68f521899ae4990e26d0c6bc9d0bf7dd0a739", 287, "sparse", 100},
	{200, 100000, "344d02397e0171974a36fc9ac97cf4c6e4399757", 508, "sparse", 201},
	{300, 100000, "5f5ff35747b13c03d7233ac8584522a3cf934820", 698, "sparse", 302},
	{500, 100000, "96db66ca63089d7385b7b3585909e4e9a3c38fa1", 1061, "sparse", 503},
	{1000, 100000, "a1ca97c185891bb106aa0d3d2ae440fa978b6c54", 1922, "sparse", 1001},
	{1500, 100000, "dc948508c81198d1a2da2d0a7ffba9b6eece5374", 2766, "sparse", 1512},
	{2000, 100000, "cb4040551e04ae397661a588191ab308eb59266b", 3533, "sparse", 2006},
	{3000, 100000, "e0385cd4a3c627b3fba78e3b2a2bb37ee81fa1c9", 4934, "sparse", 3005},
	{5000, 100000, "92782d7987254ea7e8ab7cf57df616c48377275a", 7225, "sparse", 4985},
	{10000, 100000, "ca8ff8fdfcf9876f7383fc280745f32c839e9c69", 10737, "sparse", 9988},
	{20000, 100000, "3e44b70210766ae686783b002c8e18b3f75077c6", 13080, "sparse", 19891},
}

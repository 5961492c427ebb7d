package commands_test

import "testing"

// TestACLDeniedCounts: INFO stats counts denials by reason, as Redis
// 7.2 does, until CONFIG RESETSTAT.
func TestACLDeniedCounts(t *testing.T) {
	srv := startConnServer(t, nil)
	admin := dialRaw(t, srv.Addr)
	admin.do(t, "ACL", "SETUSER", "u", "on", ">pw", "~k*", "&c", "-@all", "+get", "+publish")
	u := dialRaw(t, srv.Addr)
	u.do(t, "AUTH", "u", "wrong")
	u.do(t, "AUTH", "u", "pw")
	u.do(t, "SET", "k", "v")
	u.do(t, "GET", "x")
	u.do(t, "GET", "y")
	u.do(t, "PUBLISH", "d", "m")
	want := map[string]string{"acl_access_denied_auth": "1", "acl_access_denied_cmd": "1",
		"acl_access_denied_key": "2", "acl_access_denied_channel": "1"}
	info := infoFields(t, admin.do(t, "INFO", "stats").str)
	for f, w := range want {
		if info[f] != w {
			t.Errorf("%s:%s, want %s", f, info[f], w)
		}
	}
	admin.do(t, "CONFIG", "RESETSTAT")
	info = infoFields(t, admin.do(t, "INFO", "stats").str)
	for f := range want {
		if info[f] != "0" {
			t.Errorf("after RESETSTAT %s:%s", f, info[f])
		}
	}
}

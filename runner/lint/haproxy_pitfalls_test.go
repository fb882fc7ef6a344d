package lint

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHAProxyPitfalls(t *testing.T) {
	// The fence opens on line 3 of the chapter, so the file's first line is
	// line 4.
	tests := []struct {
		name, cfg string
		want      []string // "line:col keyword"
	}{
		{"none", "listen galera\n    server c1 10.0.0.11:3306 check tcp-ut 5s\n", nil},
		{"tcp-ut on default-server", "listen galera\n    default-server port 9200 tcp-ut 5s\n", []string{"5:5 tcp-ut"}},
		{"tcp-ut on a server line", "listen galera\n    default-server port 9200\n    server c1 CONTROLLER_VIP:3306 check tcp-ut 5s\n", nil},
		{"shutdown-sessions", "listen galera\n  default-server port 9200 on-marked-down shutdown-sessions\n", []string{"5:3 on-marked-down"}},
		{"both on one line", "listen galera\n\tdefault-server tcp-ut 5s on-marked-down shutdown-sessions\n", []string{"5:2 tcp-ut", "5:2 on-marked-down"}},
		{"on a server line", "listen galera\n    server c1 10.0.0.11:3306 check on-marked-down shutdown-sessions\n", []string{"5:5 on-marked-down"}},
		{"in a comment", "listen galera\n    # was: on-marked-down shutdown-sessions\n    default-server port 9200 # tcp-ut 5s\n", nil},
		{"on-marked-up only", "listen galera\n    default-server on-marked-up shutdown-backup-sessions\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chapter := "# One\n\n```cfg {file=/etc/haproxy/conf.d/20-galera.cfg}\n" + tt.cfg + "```\n"
			res, err := Distro(context.Background(), load(t, chapter), "debian", Options{HAProxy: "-"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range res.Problems {
				if p.File != "/etc/haproxy/conf.d/20-galera.cfg" || !strings.HasPrefix(p.Msg, "haproxy: `") {
					t.Errorf("problem %+v", p)
				}
				kw, _, _ := strings.Cut(strings.TrimPrefix(p.Msg, "haproxy: `"), " ")
				kw = strings.TrimSuffix(kw, "`")
				got = append(got, fmt.Sprintf("%d:%d %s", p.Pos.Line, p.Pos.Col, kw))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

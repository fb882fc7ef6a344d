package lab

import "testing"

func TestSupportedOn(t *testing.T) {
	tests := []struct {
		goos    string
		wantErr bool
	}{
		{"linux", false},
		{"darwin", true},
		{"windows", true},
		{"freebsd", true},
	}
	for _, tt := range tests {
		if err := supportedOn(tt.goos); (err != nil) != tt.wantErr {
			t.Errorf("supportedOn(%q) = %v, want an error: %v", tt.goos, err, tt.wantErr)
		}
	}
}

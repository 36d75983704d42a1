// hyperion-go-peer is an independent Go implementation of the Hyperion v1 wire
// protocol (docs/PROTOCOL.md), used as the far end in interop tests.
package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/flynn/noise"
	"golang.org/x/crypto/argon2"
)

const usage = `usage: hyperion-go-peer COMMAND [flags]

commands:
  server    --listen ADDR --key-file F --admin-pubkey B64 [...] --psk-env VAR --allow 22,80 [--handshake-timeout 3s]
  client    --server ADDR --server-pubkey B64 --key-file F --psk-env VAR -L LPORT:RPORT [...] [--knock [--knock-port P]]
  knock     [--to HOST:PORT] --server-pubkey B64 --psk-env VAR --tunnel-port P [--time UNIX] [--nonce HEX] [--print-hex]
  keygen    --out FILE
  pubkey    --key-file F
  psk       --passphrase-env VAR --salt S
  echo      --listen ADDR [--trailer TEXT --trailer-delay D]
  banner    --listen ADDR --text TEXT
  load      (--server ADDR --server-pubkey B64 --key-file F --psk-env VAR --port P | --connect ADDR)
            [--concurrent 256] [--churn 10000] [--churn-parallel 16] [--timeout 50s]
  selftest  --vectors DIR

Run "hyperion-go-peer COMMAND -h" for the flags of one command.
`

func main() {
	log.SetFlags(log.Ltime | log.Lmicroseconds)
	log.SetPrefix("go-peer ")
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{
		"server":   cmdServer,
		"client":   cmdClient,
		"knock":    cmdKnock,
		"keygen":   cmdKeygen,
		"pubkey":   cmdPubkey,
		"psk":      cmdPSK,
		"echo":     cmdEcho,
		"banner":   cmdBanner,
		"load":     cmdLoad,
		"selftest": cmdSelftest,
	}
	cmd, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err := cmd(os.Args[2:]); err != nil {
		log.Printf("%s: error: %v", os.Args[1], err)
		os.Exit(1)
	}
}

// ---- helpers ----

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func decodeKey(what, s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%s: not base64: %v", what, err)
	}
	if len(k) != 32 {
		return nil, fmt.Errorf("%s: %d bytes, want 32", what, len(k))
	}
	return k, nil
}

func publicKey(secret []byte) noise.DHKey {
	kp, err := noise.DH25519.GenerateKeypair(bytesReader(secret))
	if err != nil {
		panic(err)
	}
	return kp
}

type byteReader struct{ b []byte }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func bytesReader(b []byte) io.Reader { return &byteReader{b: b} }

func readKeyFile(path string) (noise.DHKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return noise.DHKey{}, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		log.Printf("warning: key file %s has mode %o (want 0600)", path, st.Mode().Perm())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return noise.DHKey{}, err
	}
	secret, err := decodeKey("key file "+path, string(data))
	if err != nil {
		return noise.DHKey{}, err
	}
	return publicKey(secret), nil
}

// pskFromEnv reads a base64 PSK from the environment (never from argv).
func pskFromEnv(name string) ([]byte, error) {
	if name == "" {
		return nil, errors.New("--psk-env is required")
	}
	v, ok := os.LookupEnv(name)
	if !ok {
		return nil, fmt.Errorf("environment variable %s is not set", name)
	}
	return decodeKey("PSK in $"+name, v)
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 16)
	if err != nil {
		return 0, fmt.Errorf("bad port %q", s)
	}
	return uint16(n), nil
}

func sortedPorts(m map[uint16]bool) []int {
	var ps []int
	for p := range m {
		ps = append(ps, int(p))
	}
	sort.Ints(ps)
	return ps
}

func isConnReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return nil
}

// ---- commands ----

func cmdServer(args []string) error {
	fs := flag.NewFlagSet("server", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "TCP address to listen on")
	keyFile := fs.String("key-file", "", "server key file (base64 secret)")
	var admins multiFlag
	fs.Var(&admins, "admin-pubkey", "allowed admin public key (base64); repeatable")
	pskEnv := fs.String("psk-env", "", "environment variable holding the base64 PSK")
	allow := fs.String("allow", "", "comma-separated ports the server may dial on 127.0.0.1")
	hsTimeout := fs.Duration("handshake-timeout", 3*time.Second, "handshake timeout")
	trace := fs.Bool("trace-yamux", false, "log every yamux frame header")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	traceYamux = *trace
	cfg := &serverConfig{listen: *listen, allow: map[uint16]bool{}, handshakeTimeout: *hsTimeout, dialTimeout: 3 * time.Second}
	var err error
	if cfg.static, err = readKeyFile(*keyFile); err != nil {
		return err
	}
	if cfg.psk, err = pskFromEnv(*pskEnv); err != nil {
		return err
	}
	if len(admins) == 0 {
		return errors.New("at least one --admin-pubkey is required")
	}
	for _, a := range admins {
		k, err := decodeKey("--admin-pubkey", a)
		if err != nil {
			return err
		}
		cfg.admins = append(cfg.admins, k)
	}
	for _, p := range strings.Split(*allow, ",") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		port, err := parsePort(p)
		if err != nil {
			return err
		}
		cfg.allow[port] = true
	}
	return runServer(cfg)
}

func cmdClient(args []string) error {
	fs := flag.NewFlagSet("client", flag.ExitOnError)
	server := fs.String("server", "", "server TCP address HOST:PORT")
	serverPub := fs.String("server-pubkey", "", "server public key (base64)")
	keyFile := fs.String("key-file", "", "admin key file (base64 secret)")
	pskEnv := fs.String("psk-env", "", "environment variable holding the base64 PSK")
	var fwds multiFlag
	fs.Var(&fwds, "L", "LPORT:RPORT forward 127.0.0.1:LPORT to the server's port RPORT; repeatable")
	knock := fs.Bool("knock", false, "send an SPA knock before connecting")
	knockPort := fs.Uint("knock-port", 0, "UDP knock port (default: the tunnel port)")
	hsTimeout := fs.Duration("handshake-timeout", 10*time.Second, "handshake timeout")
	trace := fs.Bool("trace-yamux", false, "log every yamux frame header")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	traceYamux = *trace
	cfg := &clientConfig{server: *server, knock: *knock, knockPort: uint16(*knockPort), hsTimeout: *hsTimeout, connectFor: 5 * time.Second}
	var err error
	if cfg.serverPub, err = decodeKey("--server-pubkey", *serverPub); err != nil {
		return err
	}
	if cfg.static, err = readKeyFile(*keyFile); err != nil {
		return err
	}
	if cfg.psk, err = pskFromEnv(*pskEnv); err != nil {
		return err
	}
	for _, f := range fwds {
		parts := strings.SplitN(f, ":", 2)
		if len(parts) != 2 {
			return fmt.Errorf("-L %q: want LPORT:RPORT", f)
		}
		lp, err := parsePort(parts[0])
		if err != nil {
			return err
		}
		rp, err := parsePort(parts[1])
		if err != nil {
			return err
		}
		cfg.forwards = append(cfg.forwards, forward{lp, rp})
	}
	if len(cfg.forwards) == 0 {
		return errors.New("at least one -L LPORT:RPORT is required")
	}
	return runClient(cfg)
}

func cmdKnock(args []string) error {
	fs := flag.NewFlagSet("knock", flag.ExitOnError)
	to := fs.String("to", "", "UDP destination HOST:PORT")
	serverPub := fs.String("server-pubkey", "", "server public key (base64)")
	pskEnv := fs.String("psk-env", "", "environment variable holding the base64 PSK")
	tunnelPort := fs.Uint("tunnel-port", 0, "TCP tunnel port to put in the knock")
	unixTime := fs.Int64("time", 0, "unix time to put in the knock (default: now)")
	nonceHex := fs.String("nonce", "", "12-byte nonce in hex (default: random)")
	printHex := fs.Bool("print-hex", false, "print the datagram in hex on stdout")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	pub, err := decodeKey("--server-pubkey", *serverPub)
	if err != nil {
		return err
	}
	psk, err := pskFromEnv(*pskEnv)
	if err != nil {
		return err
	}
	if *tunnelPort == 0 || *tunnelPort > 65535 {
		return errors.New("--tunnel-port 1..65535 is required")
	}
	t := uint64(time.Now().Unix())
	if *unixTime != 0 {
		t = uint64(*unixTime)
	}
	nonce := make([]byte, 12)
	if *nonceHex != "" {
		if nonce, err = hex.DecodeString(*nonceHex); err != nil {
			return fmt.Errorf("--nonce: %v", err)
		}
	} else if _, err := rand.Read(nonce); err != nil {
		return err
	}
	pkt, err := buildKnock(psk, pub, nonce, t, uint16(*tunnelPort))
	if err != nil {
		return err
	}
	if *printHex || *to == "" {
		fmt.Println(hex.EncodeToString(pkt))
	}
	if *to != "" {
		if err := sendKnock(*to, pkt); err != nil {
			return err
		}
		log.Printf("knock: sent %d bytes to %s (time %d, tunnel port %d)", len(pkt), *to, t, *tunnelPort)
	}
	return nil
}

func cmdKeygen(args []string) error {
	fs := flag.NewFlagSet("keygen", flag.ExitOnError)
	out := fs.String("out", "", "key file to create (mode 0600)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out is required")
	}
	kp, err := noise.DH25519.GenerateKeypair(rand.Reader)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b64(kp.Private) + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Println(b64(kp.Public))
	return nil
}

func cmdPubkey(args []string) error {
	fs := flag.NewFlagSet("pubkey", flag.ExitOnError)
	keyFile := fs.String("key-file", "", "key file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	kp, err := readKeyFile(*keyFile)
	if err != nil {
		return err
	}
	fmt.Println(b64(kp.Public))
	return nil
}

func pskFromPassphrase(pass, salt string) []byte {
	return argon2.IDKey([]byte(pass), []byte(salt), 2, 19456, 1, 32)
}

func cmdPSK(args []string) error {
	fs := flag.NewFlagSet("psk", flag.ExitOnError)
	passEnv := fs.String("passphrase-env", "", "environment variable holding the passphrase")
	salt := fs.String("salt", "", "salt (UTF-8, at least 8 bytes)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	pass, ok := os.LookupEnv(*passEnv)
	if *passEnv == "" || !ok {
		return errors.New("--passphrase-env must name a set environment variable")
	}
	if len(*salt) < 8 {
		return errors.New("--salt must be at least 8 bytes")
	}
	fmt.Println(b64(pskFromPassphrase(pass, *salt)))
	return nil
}

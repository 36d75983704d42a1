package main

// selftest checks this peer against the v1 vectors (Tests/HyperionCryptoTests/Vectors): the Hyperion v1 values
// (PSK, knock key, knock packet) and the Noise IKpsk2 vectors through flynn/noise.

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/flynn/noise"
)

type kv struct{ key, value string }

// readVectorFile returns the key=value lines in order, skipping comments.
func readVectorFile(path string) ([]kv, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []kv
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.IndexByte(line, '=')
		if i < 0 {
			return nil, fmt.Errorf("%s: bad line %q", path, line)
		}
		out = append(out, kv{line[:i], line[i+1:]})
	}
	return out, sc.Err()
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(fmt.Sprintf("bad hex %q: %v", s, err))
	}
	return b
}

type checker struct{ pass, fail int }

func (c *checker) check(name string, ok bool, detail string) {
	if ok {
		c.pass++
		fmt.Printf("ok   %s\n", name)
		return
	}
	c.fail++
	fmt.Printf("FAIL %s: %s\n", name, detail)
}

func (c *checker) eq(name string, got, want []byte) {
	c.check(name, bytes.Equal(got, want), fmt.Sprintf("got %x, want %x", got, want))
}

func cmdSelftest(args []string) error {
	fs := flag.NewFlagSet("selftest", flag.ExitOnError)
	dir := fs.String("vectors", "", "directory holding hyperion-v1.txt and noise-IKpsk2-25519-ChaChaPoly-BLAKE2s.txt")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c := &checker{}
	if err := hyperionVectors(c, filepath.Join(*dir, "hyperion-v1.txt")); err != nil {
		return err
	}
	if err := noiseVectors(c, filepath.Join(*dir, "noise-IKpsk2-25519-ChaChaPoly-BLAKE2s.txt")); err != nil {
		return err
	}
	handshakeOverPipe(c)
	fmt.Printf("%d passed, %d failed\n", c.pass, c.fail)
	if c.fail > 0 {
		return errors.New("selftest failed")
	}
	return nil
}

func hyperionVectors(c *checker, path string) error {
	lines, err := readVectorFile(path)
	if err != nil {
		return err
	}
	v := map[string]string{}
	for _, l := range lines {
		v[l.key] = l.value
	}
	for _, k := range []string{"passphrase", "salt", "psk_base64", "psk_hex", "knock_key_hex", "server_secret_hex",
		"server_public_base64", "nonce_hex", "unix_time", "tunnel_port", "knock_packet_hex"} {
		if _, ok := v[k]; !ok {
			return fmt.Errorf("%s: missing %s", path, k)
		}
	}
	wantPSK, _ := base64.StdEncoding.DecodeString(v["psk_base64"])
	c.eq("hyperion-v1 psk from passphrase (Argon2id)", pskFromPassphrase(v["passphrase"], v["salt"]), wantPSK)

	psk := mustHex(v["psk_hex"])
	c.eq("hyperion-v1 knock key", knockKey(psk), mustHex(v["knock_key_hex"]))

	server := publicKey(mustHex(v["server_secret_hex"]))
	wantPub, _ := base64.StdEncoding.DecodeString(v["server_public_base64"])
	c.eq("hyperion-v1 server public key", server.Public, wantPub)

	t, _ := strconv.ParseUint(v["unix_time"], 10, 64)
	port, _ := strconv.ParseUint(v["tunnel_port"], 10, 16)
	pkt, err := buildKnock(psk, wantPub, mustHex(v["nonce_hex"]), t, uint16(port))
	if err != nil {
		return err
	}
	c.eq("hyperion-v1 knock packet", pkt, mustHex(v["knock_packet_hex"]))
	return nil
}

// noiseVectors replays every block: msg_0 and msg_1 are the handshake, later
// messages are transport messages alternating initiator/responder.
func noiseVectors(c *checker, path string) error {
	lines, err := readVectorFile(path)
	if err != nil {
		return err
	}
	type block struct {
		name     string
		fields   map[string]string
		messages [][2][]byte // payload, ciphertext
	}
	var blocks []*block
	var cur *block
	var payload []byte
	for _, l := range lines {
		switch {
		case l.key == "handshake":
			cur = &block{name: l.value, fields: map[string]string{}}
			blocks = append(blocks, cur)
		case cur == nil:
			return fmt.Errorf("%s: %s before handshake=", path, l.key)
		case strings.HasPrefix(l.key, "msg_") && strings.HasSuffix(l.key, "_payload"):
			payload = mustHex(l.value)
		case strings.HasPrefix(l.key, "msg_") && strings.HasSuffix(l.key, "_ciphertext"):
			cur.messages = append(cur.messages, [2][]byte{payload, mustHex(l.value)})
		default:
			cur.fields[l.key] = l.value
		}
	}
	if len(blocks) == 0 {
		return fmt.Errorf("%s: no vectors", path)
	}
	for bi, b := range blocks {
		name := fmt.Sprintf("noise vector %d (%s", bi+1, b.name)
		if p, ok := b.fields["prologue"]; ok {
			name += ", prologue " + p
		}
		name += ")"
		if b.name != "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s" {
			c.check(name, false, "unexpected protocol name")
			continue
		}
		init := publicKey(mustHex(b.fields["init_static"]))
		resp := publicKey(mustHex(b.fields["resp_static"]))
		psk := mustHex(b.fields["preshared_key"])
		prologue := mustHex(b.fields["prologue"])
		ci := noise.Config{CipherSuite: cipherSuite, Pattern: noise.HandshakeIK, Initiator: true, Prologue: prologue,
			PresharedKey: psk, PresharedKeyPlacement: 2, StaticKeypair: init, PeerStatic: resp.Public,
			Random: bytesReader(mustHex(b.fields["gen_init_ephemeral"]))}
		cr := noise.Config{CipherSuite: cipherSuite, Pattern: noise.HandshakeIK, Prologue: prologue,
			PresharedKey: psk, PresharedKeyPlacement: 2, StaticKeypair: resp,
			Random: bytesReader(mustHex(b.fields["gen_resp_ephemeral"]))}
		hi, err1 := noise.NewHandshakeState(ci)
		hr, err2 := noise.NewHandshakeState(cr)
		if err1 != nil || err2 != nil {
			c.check(name, false, fmt.Sprint(err1, err2))
			continue
		}
		var iSend, iRecv, rSend, rRecv *noise.CipherState
		for mi, m := range b.messages {
			mname := fmt.Sprintf("%s msg_%d", name, mi)
			var got, pt []byte
			var err error
			switch {
			case mi == 0:
				got, _, _, err = hi.WriteMessage(nil, m[0])
				if err == nil {
					pt, _, _, err = hr.ReadMessage(nil, got)
				}
			case mi == 1:
				var a, bcs, x, y *noise.CipherState
				got, a, bcs, err = hr.WriteMessage(nil, m[0])
				if err == nil {
					pt, x, y, err = hi.ReadMessage(nil, got)
				}
				rSend, rRecv, iSend, iRecv = bcs, a, x, y
			case mi%2 == 0: // initiator -> responder
				if got, err = iSend.Encrypt(nil, nil, m[0]); err == nil {
					pt, err = rRecv.Decrypt(nil, nil, got)
				}
			default:
				if got, err = rSend.Encrypt(nil, nil, m[0]); err == nil {
					pt, err = iRecv.Decrypt(nil, nil, got)
				}
			}
			if err != nil {
				c.check(mname, false, err.Error())
				break
			}
			c.check(mname, bytes.Equal(got, m[1]) && bytes.Equal(pt, m[0]),
				fmt.Sprintf("ciphertext %x, want %x; decrypted %x", got, m[1], pt))
		}
	}
	return nil
}

// handshakeOverPipe runs this peer's own client and server handshake and
// transport framing against each other, plus the allowlist refusal.
func handshakeOverPipe(c *checker) {
	server := publicKey(bytes.Repeat([]byte{7}, 32))
	admin := publicKey(bytes.Repeat([]byte{9}, 32))
	other := publicKey(bytes.Repeat([]byte{11}, 32))
	psk := bytes.Repeat([]byte{5}, 32)

	run := func(clientKey noise.DHKey) (client, srv *NoiseConn, cerr, serr error) {
		a, b := net.Pipe()
		a.SetDeadline(time.Now().Add(5 * time.Second))
		b.SetDeadline(time.Now().Add(5 * time.Second))
		done := make(chan struct{})
		go func() {
			srv, _, serr = ServerHandshake(b, server, psk, [][]byte{admin.Public})
			if serr != nil {
				b.Close()
			}
			close(done)
		}()
		client, cerr = ClientHandshake(a, clientKey, server.Public, psk)
		<-done
		return
	}

	cl, sv, cerr, serr := run(admin)
	if cerr != nil || serr != nil {
		c.check("own handshake over a pipe", false, fmt.Sprint(cerr, serr))
		return
	}
	c.check("own handshake over a pipe", true, "")
	big := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80000 bytes: several frames
	go func() { cl.Write(big) }()
	got := make([]byte, len(big))
	_, err := io.ReadFull(sv, got)
	c.check("own transport framing (80000 bytes, client->server)", err == nil && bytes.Equal(got, big), fmt.Sprint(err))

	_, _, cerr, serr = run(other)
	c.check("own server refuses an unlisted admin key without replying",
		serr != nil && cerr != nil && strings.Contains(cerr.Error(), "without replying"), fmt.Sprint(cerr, " / ", serr))
}

/**
 * Built-in trust anchors, shipped as data. Each is kept only if its SHA-256 fingerprint was found identical in two
 * independent public places (listed in docs/verification.md), and is checked against that pinned fingerprint
 * when loaded, so an edited certificate here is dropped rather than trusted.
 *
 * Not shipped: the Vietnam National Root CA G3 (2024) and NEAC's other roots under Decree 23/2025, and Ban Cơ yếu
 * Chính phủ's first-generation root: no SHA-256 confirmed in two independent places (what was found is in
 * docs/verification.md). Officials add them with `--trust-anchor FILE` or the tray app's settings.
 */

export interface BuiltInAnchor {
  name: string;
  /** SHA-256 of the DER certificate, lowercase hex. */
  sha256: string;
  /** Where the certificate and its fingerprint were found. */
  sources: string[];
  pem: string;
}

export const BUILT_IN_ANCHORS: readonly BuiltInAnchor[] = [
  {
    name: 'RootCA chuyên dùng Chính phủ G2 (Ban Cơ yếu Chính phủ)',
    sha256: 'f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8',
    sources: [
      'http://ca.gov.vn/pki/pub/crt/rootcag2.crt (publisher; copy in github.com/nguyentvtk/eSign.Files server/trust/vgca/rootcag2.crt, SHA-256 in its README)',
      'SHA-256 pinned independently in a VGCA timestamp verifier (C# SignatureConstants.RootG2Sha256)',
      'SHA-1 761a8d4043c70e020b8578b78f89bc16a637918b in two further signing tools’ trusted-root lists',
    ],
    pem: `-----BEGIN CERTIFICATE-----
MIIFpzCCA4+gAwIBAgIIO2WwoDAG+aswDQYJKoZIhvcNAQELBQAwYTELMAkGA1UE
BhMCVk4xIzAhBgNVBAoMGkJhbiBDxqEgeeG6v3UgQ2jDrW5oIHBo4bunMS0wKwYD
VQQDDCRSb290Q0EgY2h1ecOqbiBkw7luZyBDaMOtbmggcGjhu6cgRzIwHhcNMTgw
ODIyMDczNjM5WhcNNDgwODE0MDczNjM5WjBhMQswCQYDVQQGEwJWTjEjMCEGA1UE
CgwaQmFuIEPGoSB54bq/dSBDaMOtbmggcGjhu6cxLTArBgNVBAMMJFJvb3RDQSBj
aHV5w6puIGTDuW5nIENow61uaCBwaOG7pyBHMjCCAiIwDQYJKoZIhvcNAQEBBQAD
ggIPADCCAgoCggIBAKU35IPgByE9Ui+W0oLSZKNRxWLudIJLAicboYFz/2i2nmpE
nDdPncAAhCf5NprFHWRwckuP8p+7NS6pRohMlkId6LweFSv7P47IWM1yFYpsiHKk
5xWbsgItV5yoQc2sqzS3gzuXGacBlP0h4CZndloIo2kcOiTIhbxFpTwIT/YVdRAy
PLIV/5lxKC5r4ET0VIs5wMVsKL29N0g9u4LvJmJez0Cb3v33FZ4mbRk0X0FAQwMw
C7KxIoQKnZhTE35yYCEsk4Cp76pYQVMjVAZyeJ1R6YSCuc55LAwUET7o4NAudijZ
TOJDO7PuUxQcsuv17rdk0pr+AGwi4b03FVQCY6oTclNcwEYVjf2ul3eEMxJKQJ/N
NDhpvF9LAf7lpCYsQhbxz10Iqeqzl5On+pSPqNKRncgjPfs0ek/8IpOOyc2diwjx
AdFx2xjVrVS07mXM/G//cV8oWmBvgl/QD96gB6YsLc2DyIZuSHQzJGE312hn7/Gd
qd+Vj9Pqxytf5+GldxbWB1HQQ/aZD2kFX9A/jQGutd/CTCcs2UCemQnJn261EnVi
UffQGX3m69n2DwM6O2QluagTxQYONCCEbv4rNy8MTwk7P1Bt8N7QaEIoYXn8GT7X
HrS8AaNSa7qON7/TG5TlyfJt5JYp2asGVwBQ5onn1tvVGHiHbscQ8dJB4CUhAgMB
AAGjYzBhMA8GA1UdEwEB/wQFMAMBAf8wHwYDVR0jBBgwFoAUd3m69/O9+4YeExpe
I1JcqrpurlQwHQYDVR0OBBYEFHd5uvfzvfuGHhMaXiNSXKq6bq5UMA4GA1UdDwEB
/wQEAwIBBjANBgkqhkiG9w0BAQsFAAOCAgEAhfZKfj1h6fTUr43i8seYh6EUiEvd
Vd+D5k8iU5pfqT9CoZG1wm4TszJ6JQyok7c4OApKRYWT/cJkgI814FXN97rdTm/I
zX2pU7Agae6j5mY0cozGq8YURYxpsjKdbcxcj6uK3wlHBRA2YsZgy5UJsRK5Qj9+
S2jjq5zuQdT+Ir/YLMGidun3Nt9u2O5Xzg0aiAcvJ/6RHzQPl3FjyqHXIPBd4xg+
Nlpfd0dQ1TkL/y+ykrTvdWlm0Hd0jCd49vRzL58lyqYs6dp1teaNy/yd0MlH9O8d
DKW30ccu9YA93wiDBZ/4koxLFn5ftRFz7P1Az2f5MA3jZPRuvn6Gv95dOBW4Ifnk
B+uOno5b4sLMC4gwSAq4w8fdDW/D4QPY/kHily0oj0JYlE8eY79/Sxz9VhPgfCol
0K9YHiCCOdpmg+oUWmpq+/zrEE7uc7+KUpQNTjxB+0c10kESKdK+jOrJQlWmKegD
zZ8+fM9AMkveSw22T9VJ0t8sllQalFb0Y6kpszMD45vkp4Pc5MaoyJPfWMG4cAoP
I0C8C8WGte4D1UzmlfdTyD+ZWO4Fb9xaHUhyewx6CAcDyH5sTjoN1kZNie6aWQVg
9RihjCzFStpnyCIlbZiEep2bFDQhper6yHEhGtym8MtqT220YJ25NXofQ+5+r+Nf
btkMVr+VUE5O2Bc=
-----END CERTIFICATE-----`,
  },
  {
    name: 'Vietnam National Root CA (NEAC, SHA-256, 2014–2039)',
    sha256: 'bac8bf609ab420a8ee1780d74f4de5c7f7184959d2a7375b0a75e4c29f0908e7',
    sources: [
      'https://rootca.gov.vn/crt/vnrca256.p7b (publisher); SHA-256 pinned in github.com/nguyentvtk/eSign.Files server/trust/README.md, taken from that bundle',
      'the certificate itself, as Viettel-CA’s remote-signing service returns it at the top of its chains, recorded in two further unrelated projects (an Angular portal and a Java signing test): same SHA-256; the Viettel-CA RS CA it carries verifies under this key',
      'SHA-1 8ea95975898efef73b5ca92bf03f712bfbc7615f names the vnrca256 file in a third project’s NEAC trust-store script',
    ],
    pem: `-----BEGIN CERTIFICATE-----
MIIG/DCCBOSgAwIBAgIRAJWSu4zurVokprj3HX0yO1owDQYJKoZIhvcNAQELBQAw
gaMxCzAJBgNVBAYTAlZOMTMwMQYDVQQKDCpNaW5pc3RyeSBvZiBJbmZvcm1hdGlv
biBhbmQgQ29tbXVuaWNhdGlvbnMxPDA6BgNVBAsMM05hdGlvbmFsIENlbnRyZSBv
ZiBEaWdpdGFsIFNpZ25hdHVyZSBBdXRoZW50aWNhdGlvbjEhMB8GA1UEAwwYVmll
dG5hbSBOYXRpb25hbCBSb290IENBMB4XDTE0MDQxNTE2MjkyMFoXDTM5MDQxNTE2
MjkyMFowgaMxCzAJBgNVBAYTAlZOMTMwMQYDVQQKDCpNaW5pc3RyeSBvZiBJbmZv
cm1hdGlvbiBhbmQgQ29tbXVuaWNhdGlvbnMxPDA6BgNVBAsMM05hdGlvbmFsIENl
bnRyZSBvZiBEaWdpdGFsIFNpZ25hdHVyZSBBdXRoZW50aWNhdGlvbjEhMB8GA1UE
AwwYVmlldG5hbSBOYXRpb25hbCBSb290IENBMIICIjANBgkqhkiG9w0BAQEFAAOC
Ag8AMIICCgKCAgEAuKxaewgw2XB6afUf4zeVThQDl/G9xj56UoT+8KbW7BeIjkUe
vwlUmK5/j4HQaIuNg7g9oiQaU2Gt7WM/fTR8p/PkQT7yzuY0uLzSxUO3d8LxBnFR
hz/5Vnk6cfWcsZUwCEgU/LHrnVuRjIYsffdc3YDgUJkcbnnxRq6zTF9BG2xH3f3C
68C4Y3yERae5MCukpNELXh6GctRR2FkShFeITzJUZSguCEJJAj5qYW3rakJud4Xj
FFVgMnl6+78PYxvlAA8oFQrUbAywWq6Lzn6zcpo+OZuWfF7NFVGEcAtDuN1oyvst
+H68f6giZ4+dKI4dBcrFkYJ+ptf98+Dev/Ij6onjOLgVgE/6LwprDIVY7X0vdqGG
7Nbh6gaeugCG5/mYtIVkHhwPK+KcTPETYZJDYxT3rUIahaYh1Qp+LfEDXTJI2XGK
ey9lBkmFgdGpZY65p3xvrYW+NHccbtPsR+swcuuGRV7UP/ndmRX08GiaMTfKrkR7
V5RvferDiQ/vezfq2hDPHizFaqxtImTUu8wFvXGbo11hsrqLCaKQxZToonYp7ECV
YFDueuL7E6Up4cXler1qLvp3w+QZVR4r58IKvxVrtHaRiZUsbDa335dAlWjgaJI8
QWZ4HOHVZLQjrX+JkjDPJTMHNxuMEkElrCSF3rXqUKZ/JMvqKeY16jQDaH0CAwEA
AaOCAScwggEjMA4GA1UdDwEB/wQEAwIBhjAPBgNVHRMBAf8EBTADAQH/MB0GA1Ud
DgQWBBR+8Iftsbid+wiDb6QW/fG4rGKbATCB4AYDVR0jBIHYMIHVgBR+8Iftsbid
+wiDb6QW/fG4rGKbAaGBqaSBpjCBozELMAkGA1UEBhMCVk4xMzAxBgNVBAoMKk1p
bmlzdHJ5IG9mIEluZm9ybWF0aW9uIGFuZCBDb21tdW5pY2F0aW9uczE8MDoGA1UE
CwwzTmF0aW9uYWwgQ2VudHJlIG9mIERpZ2l0YWwgU2lnbmF0dXJlIEF1dGhlbnRp
Y2F0aW9uMSEwHwYDVQQDDBhWaWV0bmFtIE5hdGlvbmFsIFJvb3QgQ0GCEQCVkruM
7q1aJKa49x19MjtaMA0GCSqGSIb3DQEBCwUAA4ICAQBNNunXKvYvaxzgOPbKsmJL
Z1gqHpJeHzT74IzBHDgp8bgbLDtqH+PZV+w7DwvfZD8xuFKQJz9v5TDpz/CYwrhA
+BUsxyMbzS6Kv1lNa42Ja63BlEQ1AAVY+ZX3mFbVumOV43kLQgzQayYKPolq1o7Q
xz3l2zgzhg4o436Vfek8Lrh/WcP5ezyC8Tt7VCaUOl/fuSaCPYvZbV7bZw/Eyj4x
K1ud7Uq2Op54vSTegoh0+ZW28SQEgH49BjyjQTv56sTRolWZ4WxbHtbBJwTj7vli
ksebvvljoRYo9wg29AuY/Arw3NNhTyIbUFO75colaaF8i+5aAvmPQzfIk9m1bzK1
5VOk8t8QnV8i4I42jDLbVzbZFQZHbLL8gj+LTHVZc9sfKmfhkH2HDsngb6UvKDuW
HB5+XQ5QoSiyGVJ0MeUYohPI6cghZXbIflHGyse9hbARM7Ubrisf/P//FDLlJ3UL
7+aLIk9fw6n7Wy0WcgN+QxjfdxUM9VSCx705+uX/aN4y0g5LMNChDOzpBYUg6smm
8A0W2LIAMw0Q9U9TLnHO8Ovw3ikuO5rfTSWwbYmyt15NsFp8LM/Q0Nu9QqaMNNy2
3YbQZZlfFormI9ioWEpjDbWqU9YyH6oHpGjsBbSoR4G0IUsfxaDdE3CXIx48pRol
SddeayvR5sdOsNrhJOAFwg==
-----END CERTIFICATE-----`,
  },
];

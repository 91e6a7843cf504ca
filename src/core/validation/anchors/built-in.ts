/**
 * Built-in trust anchors, shipped as data. Each is kept only if its SHA-256 fingerprint was found identical in two
 * independent public places (listed in docs/verification.md), and is checked against that pinned fingerprint
 * when loaded, so an edited certificate here is dropped rather than trusted.
 *
 * Not shipped: the Vietnam National Root CA (NEAC, rootca.gov.vn, every generation) and Ban Cơ yếu Chính phủ's
 * first-generation root: their certificates could not be obtained with a fingerprint confirmed twice.
 * Officials add them with `--trust-anchor FILE` (see docs/verification.md).
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
];

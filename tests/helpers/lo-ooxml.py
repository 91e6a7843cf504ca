#!/usr/bin/python3
# LibreOffice over UNO, headless, for the OOXML tests (one soffice with a throwaway profile per run):
#   lo-ooxml.py verify FILE...
#       OOXML (DOCX/XLSX/PPTX) signatures checked by LibreOffice's own implementation (xmlsecurity + libxmlsec + NSS);
#       prints one JSON object per file: {"file", "signatures": [{valid, partial, certificateStatus, signer, date, time}]}
#       or {"file", "error"}.
#   lo-ooxml.py serve SOCKET
#       the same checks for a whole test run: one soffice (started on the first request, started again if it dies)
#       answers `ask` requests on a Unix socket one at a time, until SIGTERM or its parent exits.
#   lo-ooxml.py ask SOCKET FILE...
#       `verify FILE...` by the server on SOCKET: the same output.
#   lo-ooxml.py sign IN OUT
#       signs a copy of IN as LibreOffice does (signDocumentWithCertificate) with the first personal certificate of the
#       NSS database in MOZILLA_CERTIFICATE_FOLDER (which must hold its private key).
# Exit 0 when it ran (whatever the signatures say), 2 when LibreOffice could not be used, 1 when signing failed.
#
# The package is opened as a plain ZIP storage, as LibreOffice itself does for signing (SfxMedium's
# GetZipStorageToSign): an OFOPXML storage hides the _rels folders, and LibreOffice then finds no signatures.
# Set MOZILLA_CERTIFICATE_FOLDER to an NSS database to have certificates checked against its trust anchors.
import json, os, shutil, signal, socket, subprocess, sys, tempfile, time, uuid

try:
    import uno
    from com.sun.star.beans import PropertyValue
except ImportError:
    print('python3-uno is not installed', file=sys.stderr)
    sys.exit(2)


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def start_office():
    profile = tempfile.mkdtemp(prefix='kyso-lo-')
    pipe = 'kyso' + uuid.uuid4().hex
    proc = subprocess.Popen(['soffice', '--headless', '--invisible', '--nologo', '--norestore', '--nodefault', '--nolockcheck',
                             f'-env:UserInstallation=file://{profile}', f'--accept=pipe,name={pipe};urp;'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext('com.sun.star.bridge.UnoUrlResolver', local)
    deadline = time.time() + 180  # a deadline, not a measure: soffice starts slowly on a loaded machine
    while time.time() < deadline:
        try:
            return proc, profile, resolver.resolve(f'uno:pipe,name={pipe};urp;StarOffice.ComponentContext')
        except Exception:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    shutil.rmtree(profile, ignore_errors=True)
    raise OfficeUnavailable('soffice did not start')


class OfficeUnavailable(Exception):
    pass


def stop_office(proc, profile, ctx):
    try:
        ctx.ServiceManager.createInstanceWithContext('com.sun.star.frame.Desktop', ctx).terminate()
    except Exception:
        pass
    try:
        proc.wait(timeout=20)
    except Exception:
        proc.kill()
    shutil.rmtree(profile, ignore_errors=True)


def check(ctx, path):
    factory = ctx.ServiceManager.createInstanceWithContext('com.sun.star.embed.StorageFactory', ctx)
    args = (uno.systemPathToFileUrl(os.path.abspath(path)), 1,  # ElementModes.READ
            uno.Any('[]com.sun.star.beans.PropertyValue', (prop('StorageFormat', 'ZipFormat'),)))
    storage = uno.invoke(factory, 'createInstanceWithArguments', (args,))
    service = ctx.ServiceManager.createInstanceWithContext('com.sun.star.security.DocumentDigitalSignatures', ctx)
    out = []
    for info in service.verifyDocumentContentSignatures(storage, None):
        cert = info.Signer
        out.append({
            'valid': bool(info.SignatureIsValid),
            'partial': bool(info.PartialDocumentSignature),
            'certificateStatus': int(info.CertificateStatus),
            'signer': cert.SubjectName if cert else '',
            'date': int(info.SignatureDate),
            'time': int(info.SignatureTime),
        })
    storage.dispose()
    return out


def sign(ctx, src, dst):
    shutil.copyfile(src, dst)
    smgr = ctx.ServiceManager
    security = smgr.createInstanceWithContext('com.sun.star.xml.crypto.SEInitializer', ctx).createSecurityContext('')
    certs = security.getSecurityEnvironment().getPersonalCertificates()
    if not certs:
        raise RuntimeError('no personal certificate in the NSS database')
    factory = smgr.createInstanceWithContext('com.sun.star.embed.StorageFactory', ctx)
    args = (uno.systemPathToFileUrl(os.path.abspath(dst)), 7,  # READ | WRITE | SEEKABLE
            uno.Any('[]com.sun.star.beans.PropertyValue', (prop('StorageFormat', 'ZipFormat'),)))
    storage = uno.invoke(factory, 'createInstanceWithArguments', (args,))
    service = smgr.createInstanceWithContext('com.sun.star.security.DocumentDigitalSignatures', ctx)
    if not service.signDocumentWithCertificate(certs[0], storage, None):
        raise RuntimeError('signDocumentWithCertificate returned false')
    storage.commit()
    storage.dispose()


def verify_lines(office, files):
    """One JSON line per file; a file LibreOffice cannot read is a result, not a crash."""
    for f in files:
        try:
            yield {'file': f, 'signatures': check(office[2], f)}
        except Exception as e:
            yield {'file': f, 'error': str(e)}


def serve(path):
    parent = os.getppid()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(path):
        os.unlink(path)
    server.bind(path)
    server.listen(64)
    server.settimeout(1.0)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    office = None
    try:
        while not stopping and os.getppid() == parent:
            try:
                conn, _ = server.accept()
            except socket.timeout:
                continue
            with conn:
                conn.settimeout(None)
                try:
                    files = json.loads(conn.makefile('r', encoding='utf-8').readline())['files']
                    out = conn.makefile('w', encoding='utf-8')
                    if office is not None and office[0].poll() is not None:
                        stop_office(*office)  # soffice died since the last request: start a new one
                        office = None
                    if office is None:
                        office = start_office()
                    for line in verify_lines(office, files):
                        out.write(json.dumps(line, ensure_ascii=False) + '\n')
                    out.flush()
                except Exception as e:  # this request fails (the client sees no result); the next one is served
                    print(f'request failed: {e}', file=sys.stderr)
                finally:
                    conn.shutdown(socket.SHUT_RDWR)  # the client reads to the end; makefile() objects keep the socket open
    finally:
        if office is not None:
            stop_office(*office)
        os.unlink(path)
    return 0


def ask(path, files):
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(path)
    client.sendall((json.dumps({'files': files}) + '\n').encode())
    answered = 0
    for line in client.makefile('r', encoding='utf-8'):
        sys.stdout.write(line)
        answered += 1
    if answered == 0:  # the server could not serve this request (soffice did not start…): as `verify` would fail
        print('the LibreOffice checker answered nothing (its reason is on the test run\'s stderr)', file=sys.stderr)
        return 2
    return 0


def main(argv):
    if len(argv) == 2 and argv[0] == 'serve':
        return serve(argv[1])
    if len(argv) >= 3 and argv[0] == 'ask':
        return ask(argv[1], argv[2:])
    if len(argv) == 3 and argv[0] == 'sign':
        proc, profile, ctx = start_office()
        try:
            sign(ctx, argv[1], argv[2])
            return 0
        except Exception as e:
            print(f'sign failed: {e}', file=sys.stderr)
            return 1
        finally:
            stop_office(proc, profile, ctx)
    if len(argv) < 2 or argv[0] != 'verify':
        print('usage: lo-ooxml.py verify FILE... | serve SOCKET | ask SOCKET FILE... | sign IN OUT', file=sys.stderr)
        return 2
    office = start_office()
    try:
        for line in verify_lines(office, argv[1:]):
            print(json.dumps(line, ensure_ascii=False), flush=True)
    finally:
        stop_office(*office)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv[1:]))
    except OfficeUnavailable as e:
        print(str(e), file=sys.stderr)
        sys.exit(2)

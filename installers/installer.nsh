; Kyso's additions to the per-user NSIS installer (electron-builder `nsis.include`).
; Install: start Kyso hidden in the tray when the user logs in (HKCU Run key: per user, no admin rights).
; Uninstall: remove that entry and its "startup approved" shadow, so nothing of Kyso starts any more.
; The value name and arguments are the ones the app itself uses (src/app/autostart.ts: AUTOSTART_NAME,
; HIDDEN_ARG), so the app's own "start with the computer" setting and the installer agree.
; TLS: `--tls-install` makes the loopback certificate and puts its one-machine CA (whose key is already gone) in
; the user's root store, with Windows' own confirmation; `--tls-uninstall` takes it out (src/app/tls-setup.ts).
; A declined confirmation does not fail the install: the app asks again at its next start.

!define KYSO_RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define KYSO_APPROVED_KEY "Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"
!define KYSO_RUN_VALUE "Kyso"

!macro customInstall
  WriteRegStr HKCU "${KYSO_RUN_KEY}" "${KYSO_RUN_VALUE}" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --hidden'
  ExecWait '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --tls-install'
!macroend

!macro customUnInstall
  ; An update uninstalls the old version first: keep the entry then (the new version's install rewrites it).
  ${ifNot} ${isUpdated}
    DeleteRegValue HKCU "${KYSO_RUN_KEY}" "${KYSO_RUN_VALUE}"
    DeleteRegValue HKCU "${KYSO_APPROVED_KEY}" "${KYSO_RUN_VALUE}"
    ExecWait '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --tls-uninstall'
  ${endIf}
!macroend

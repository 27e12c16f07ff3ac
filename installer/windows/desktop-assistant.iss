; Inno Setup 6 script: per-user installer for the PyInstaller one-folder build (Windows).
;
;   pyinstaller installer\desktop-assistant.spec --noconfirm --distpath build\dist --workpath build\work
;   iscc /DAppVersion=0.1.0 installer\windows\desktop-assistant.iss
;
; Output: build\dist\desktop-assistant-<version>-windows-x64-setup.exe. Installs into
; %LOCALAPPDATA%\Programs\Desktop Assistant without admin rights (the user may still pick "all users" on
; the elevation dialog), adds a Start-menu shortcut and an uninstaller (Settings > Apps). Uninstalling
; removes only the program: settings, history and logs (%LOCALAPPDATA%\desktop-assistant) and the keys in
; Windows Credential Manager stay. Not built in CI here (Inno Setup is Windows-only); written against the
; Inno Setup 6.3+ documentation (x64compatible needs 6.3).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Desktop Assistant"
#define AppExe "desktop-assistant.exe"
; Paths are relative to this script's folder (installer\windows).
#define Root "..\.."

[Setup]
; A fixed AppId ties upgrades and the uninstaller together: never change it.
AppId={{6B1E2C3A-5F4D-4E8B-9A71-3C2D1E0F9A47}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Desktop Assistant contributors
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user by default ({autopf} = %LOCALAPPDATA%\Programs); the dialog offers an all-users install.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\build\dist
OutputBaseFilename=desktop-assistant-{#AppVersion}-windows-x64-setup
SetupIconFile={#Root}\installer\icons\desktop-assistant.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Closing a running copy first: its files are in use otherwise.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
; Inno Setup ships Simplified Chinese as an unofficial translation: copy ChineseSimplified.isl from
; https://jrsoftware.org/files/istrans/ into the compiler's Languages folder to enable this line.
; Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder bundle: desktop-assistant.exe and _internal\.
Source: "{#Root}\build\dist\desktop-assistant\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Python writes nothing into {app} at run time, but a crashed upgrade may leave stray files behind.
Type: filesandordirs; Name: "{app}\_internal"

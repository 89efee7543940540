// The first step of `npm start` and `npm test`: on an older Node.js the TypeScript
// sources fail with a stack trace (ERR_UNKNOWN_FILE_EXTENSION), so say what is needed
// instead, in one line. Written for any Node.js: no syntax newer than ES5, CommonJS.
'use strict';
var fs = require('fs');
var path = require('path');

var wanted = 24;
try {
  // .nvmrc is the one place the version is written down; nvm and fnm read it too.
  var pinned = fs.readFileSync(path.join(__dirname, '..', '.nvmrc'), 'utf8').trim();
  var major = parseInt(pinned.replace(/^v/, ''), 10);
  if (major > 0) wanted = major;
} catch (error) {
  // No .nvmrc: keep the default.
}

var running = parseInt(process.versions.node.split('.')[0], 10);
if (running < wanted) {
  process.stderr.write(
    'VideoForge needs Node.js ' +
      wanted +
      ' or newer, but this is Node.js ' +
      process.version +
      ': run `nvm install` here (it reads .nvmrc), or install Node.js ' +
      wanted +
      ' from https://nodejs.org, then run the command again.\n',
  );
  process.exit(1);
}

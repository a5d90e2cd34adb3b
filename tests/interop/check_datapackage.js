// Validate an extracted export package with the reference JavaScript implementation of
// Frictionless Data Packages (npm "datapackage") and read every table through it, casting
// each value to its Table Schema type and resolving the foreign keys.
// Usage: node check_datapackage.js DIR TABLE... (the tables to read and cast)
const { Package } = require('datapackage');

(async () => {
  const [dir, ...tables] = process.argv.slice(2);
  const pkg = await Package.load(dir + '/datapackage.json', { basePath: dir });
  if (!pkg.valid) {
    console.log('not ok 1 - datapackage.json is not valid: ' + pkg.errors.map(String).join('; '));
    process.exit(1);
  }
  console.log('ok 1 - datapackage.json is a valid tabular data package');
  let n = 1;
  let failed = false;
  for (const name of tables) {
    n += 1;
    try {
      const rows = await pkg.getResource(name).read({ keyed: true, cast: true, relations: true });
      console.log(`ok ${n} - ${name}: ${rows.length} rows cast and their foreign keys resolved`);
    } catch (error) {
      failed = true;
      const details = error.errors ? error.errors.slice(0, 3).map(String).join('; ') : '';
      console.log(`not ok ${n} - ${name}: ${error} ${details}`);
    }
  }
  process.exit(failed ? 1 : 0);
})();

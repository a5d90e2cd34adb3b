// Generate N users (full name, email, phone, address, birth date) to CSV with @faker-js/faker.
// The JavaScript reference for bench/seed/run. Usage: node fakerjs_users.mjs N OUT.csv
import { createWriteStream } from "node:fs";
import { fakerFR as faker } from "@faker-js/faker";

const n = Number(process.argv[2]);
const out = createWriteStream(process.argv[3]);
const quote = (v) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
faker.seed(42);
const start = performance.now();
out.write("id,full_name,email,phone,address,birth_date\n");
let chunk = [];
for (let i = 1; i <= n; i++) {
  const address = `${faker.location.streetAddress()}, ${faker.location.zipCode()} ${faker.location.city()}`;
  chunk.push([i, faker.person.fullName(), faker.internet.email(), faker.phone.number(), address,
              faker.date.birthdate().toISOString().slice(0, 10)].map((v) => quote(String(v))).join(","));
  if (chunk.length === 10000) {
    out.write(chunk.join("\n") + "\n");
    chunk = [];
  }
}
out.write(chunk.join("\n") + (chunk.length ? "\n" : ""));
out.end(() => console.log(`${n} ${((performance.now() - start) / 1000).toFixed(3)}`));

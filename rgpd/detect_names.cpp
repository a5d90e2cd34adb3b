#include "rgpd/detect_names.hpp"

#include "rgpd/detect_kinds.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <unordered_set>

namespace dihya::rgpd {

namespace {

// The meaning each word of a column name stands for, across languages and abbreviations.
const std::unordered_map<std::string, std::string>& concepts() {
  static const std::unordered_map<std::string, std::string> map = [] {
    std::unordered_map<std::string, std::string> m;
    auto add = [&](const char* meaning, std::initializer_list<const char*> words) {
      for (const char* w : words) m.emplace(w, meaning);
    };
    add("OF", {"of", "de", "du", "la", "le", "al", "el", "da", "di", "del", "des", "der", "the",
               "d", "l"});
    add("FIRST", {"first", "given", "fore", "primer", "primeiro", "premier"});
    add("LAST", {"last", "family", "famille", "familia", "familie"});
    add("MIDDLE", {"middle", "second", "segundo"});
    add("NAME", {"name", "nom", "nombre", "nome", "ism", "esm", "isim", "names", "noms"});
    add("FIRSTNAME", {"firstname", "forename", "prenom", "prenoms", "vorname", "givenname",
                      "fname", "firstnames", "middlename", "mname"});
    add("LASTNAME", {"lastname", "surname", "nachname", "apellido", "apellidos", "sobrenome",
                     "cognome", "familyname", "lname", "laqab", "lakab", "nasab",
                     "familienname", "patronyme"});
    add("FULL", {"full", "complet", "complete", "completo", "kamil", "voll"});
    add("FULLNAME", {"fullname", "displayname", "nomcomplet"});
    add("DISPLAY", {"display", "real", "legal"});
    add("MAIDEN", {"maiden", "jeune", "birthname"});
    add("NICK", {"nickname", "nick", "pseudo", "pseudonym", "kunya", "surnom", "apodo",
                 "spitzname", "soprannome", "apelido", "nicename"});
    add("USER", {"user", "usr", "utilisateur", "usuario", "utente", "benutzer", "mustakhdim",
                 "usager"});
    add("USERNAME", {"username", "userlogin", "screenname", "login", "uname"});
    add("SCREEN", {"screen"});
    add("EMAIL", {"email", "mail", "courriel", "correo", "eml", "barid", "emailaddress",
                  "emails", "mails"});
    add("E", {"e"});
    add("ELECTRONIC", {"iliktruni", "electronique", "electronico", "electronic"});
    add("PHONE", {"phone", "telephone", "tel", "tlf", "telefono", "telefone", "telefon", "hatif",
                  "phon", "phn", "gsm", "msisdn", "mobile", "mob", "cell", "cellphone",
                  "cellular", "celular", "movil", "cellulare", "portable", "handy", "jawal",
                  "mobil", "phonenumber", "phones", "tele", "tfno", "telf", "mobilephone",
                  "homephone", "workphone"});
    add("FAX", {"fax", "telecopie", "telefax"});
    add("NUMBER", {"number", "num", "nr", "no", "nb", "numero", "nro", "raqm", "nummer", "nbr",
                   "numer"});
    add("ADDRESS", {"address", "addr", "adresse", "adr", "direccion", "endereco", "indirizzo",
                    "anschrift", "unwan", "onwan", "addresses", "adresses", "adres"});
    add("STREET", {"street", "rue", "calle", "strasse", "rua", "voie", "shari", "streetaddress",
                   "housenumber", "hausnummer"});
    add("LINE", {"line", "ligne", "linea", "zeile"});
    add("CITY", {"city", "town", "ville", "ciudad", "cidade", "citta", "stadt", "ort",
                 "commune", "localite", "locality", "madina", "madinah", "municipality",
                 "municipio", "comune", "localidad", "gemeinde"});
    add("POSTAL", {"postal", "zip", "zipcode", "postcode", "postalcode", "cp", "codepostal",
                   "plz", "postleitzahl", "cep", "codigopostal", "zip4", "postale"});
    add("CODE", {"code", "codigo", "codice", "cod", "rumz"});
    add("REGION", {"state", "region", "province", "county", "departement", "estado",
                   "provincia", "bundesland", "wilaya", "daira", "prefecture", "mintaqa",
                   "regione"});
    add("COUNTRY", {"country", "pays", "pais", "paese", "dawla", "balad", "bilad", "land",
                    "countrycode"});
    add("BIRTH", {"birth", "naissance", "naiss", "nais", "nacimiento", "nac", "nascimento",
                  "nasc", "nascita", "geburt", "milad", "mawlid", "wilada", "born"});
    add("BIRTHDATE", {"birthdate", "birthday", "dob", "geburtsdatum", "geburtstag",
                      "datenaissance", "ddn", "fechanacimiento", "birthyear", "yob"});
    add("DATE", {"date", "dt", "fecha", "data", "datum", "tarikh", "day", "year", "annee",
                 "jour", "ano"});
    add("PLACE", {"place", "lieu", "lugar", "luogo", "makan"});
    add("AGE", {"age", "edad", "idade", "umr", "ages"});
    add("GENDER", {"gender", "sex", "sexe", "sexo", "genero", "sesso", "geschlecht", "jins",
                   "civilite", "civility", "salutation", "anrede"});
    add("GENRE", {"genre"});
    add("TITLE", {"title", "titre", "titulo", "titolo", "position"});
    add("NATIONALITY", {"nationality", "nationalite", "nacionalidad", "nacionalidade",
                        "nazionalita", "staatsangehorigkeit", "citizenship", "jinsiya",
                        "jinsiyya", "nationalities"});
    add("NATIONAL", {"national", "nationale", "nacional", "nazionale", "watani", "wataniya"});
    add("SOCIAL", {"social", "sociale"});
    add("SECURITY", {"security", "securite", "seguridad", "secu", "seguranca"});
    add("IDENTITY", {"identity", "identite", "identidad", "identita", "hawiya", "identidade"});
    add("ID", {"id", "ident", "identifier", "identifiant"});
    add("SSN", {"ssn", "nir", "nin", "insee", "nss", "cin", "cni", "dni", "nie", "cpf", "ahv",
                "bsn", "pesel", "steuerid", "codicefiscale", "personnummer", "nationalid",
                "socialsecurity", "numsecu", "nationalnumber"});
    add("PASSPORT", {"passport", "passeport", "pasaporte", "passaporto", "reisepass", "jawaz",
                     "passaporte", "passportnumber"});
    add("DRIVING", {"driving", "driver", "drivers", "conduire", "conducir", "conduzione",
                    "conducao", "siyaqa"});
    add("DRIVINGLICENCE", {"fuhrerschein", "driverlicense", "drivinglicence"});
    add("PERMIS", {"permis", "permiso"});
    add("LICENCE", {"licence", "license", "licencia", "lizenz", "licenca", "rukhsat", "rukhsa"});
    add("TAX", {"tax", "vat", "tva", "fiscal", "fiscale", "steuer", "impot", "impots", "daraiba", "tributario"});
    add("TIN", {"tin", "taxid", "nif", "steuernummer", "vatnumber", "siren"});
    add("IBAN", {"iban", "rib"});
    add("BIC", {"bic", "swift", "swiftcode"});
    add("CARD", {"card", "carte", "tarjeta", "cartao", "carta", "karte", "bitaqa"});
    add("CC", {"cc", "pan", "ccnum", "cardnumber", "creditcard", "ccnumber"});
    add("CVV", {"cvv", "cvc", "cvv2", "cvc2"});
    add("BANK", {"bank", "bancaire", "banque", "banco", "bancaria", "bancario", "credit",
                 "debit", "masrif"});
    add("ACCOUNT", {"account", "compte", "cuenta", "conta", "konto", "hisab"});
    add("IP", {"ip", "ipaddr", "ipv4", "ipv6", "ipaddress", "ips"});
    add("REMOTE", {"remote", "forwarded"});
    add("MAC", {"mac", "macaddr", "macaddress"});
    add("DEVICE", {"device", "appareil", "dispositivo", "gerat", "jihaz"});
    add("DEVICEID", {"udid", "imei", "deviceid", "androidid", "idfv", "serialnumber"});
    add("ADVERTISING", {"advertising", "ad", "ads", "advertiser", "publicite"});
    add("ADID", {"idfa", "gaid", "aaid", "adid", "advertisingid"});
    add("TOKEN", {"token"});
    add("PUSH", {"push", "fcm", "apns", "gcm"});
    add("LAT", {"lat", "latitude", "breitengrad"});
    add("LON", {"lon", "lng", "longitude", "laengengrad", "longitud"});
    add("LONG", {"long"});
    add("GEO", {"geo", "geoloc", "geolocation", "geohash", "gps", "coordinates", "coords",
                "coordonnees", "geopoint", "latlng", "latlon", "geom", "geog", "coordenadas"});
    add("LOCATION", {"location", "localisation", "ubicacion", "mawqi"});
    add("AGENT", {"agent"});
    add("URL", {"url", "uri", "link", "website", "homepage", "href", "site", "web"});
    add("UA", {"useragent", "ua"});
    add("NOTES", {"notes", "note", "comment", "comments", "remark", "remarks", "memo",
                  "observation", "observations", "commentaire", "commentaires", "remarque",
                  "remarques", "bio", "biography", "about", "aboutme", "mulahazat",
                  "notas", "nota", "bemerkung", "notizen", "annotation"});
    add("PHOTO", {"photo", "picture", "pic", "avatar", "portrait", "selfie", "headshot", "foto",
                  "sura", "photos", "mugshot"});
    add("IMAGE", {"image", "img"});
    add("PROFILE", {"profile", "profil", "perfil"});
    add("HIRE", {"hire", "hired", "embauche", "contratacion", "einstellung", "tawzif",
                 "recrutement", "assunzione", "admissao", "hiring", "entree"});
    add("HIREDATE", {"hiredate", "dateembauche"});
    add("SALARY", {"salary", "salaire", "wage", "wages", "payroll", "sueldo", "salario",
                   "stipendio", "gehalt", "ratib", "remuneration", "income", "revenu",
                   "salaries", "grosspay", "netpay"});
    add("JOB", {"job", "poste", "occupation", "profession", "metier", "wadhifa", "mihna",
                "jobtitle", "beruf", "cargo", "fonction"});
    add("EMPLOYER", {"employer", "workplace", "employeur", "empleador", "arbeitgeber"});
    add("COMPANY", {"company", "societe", "entreprise", "empresa", "organization",
                    "organisation", "firma", "sharika", "companyname"});
    add("HEALTH", {"health", "medical", "diagnosis", "diagnostic", "diagnoses", "disease",
                   "diseases", "illness", "allergy", "allergies", "allergie", "disability",
                   "handicap", "pregnancy", "pregnant", "enceinte", "grossesse", "medication",
                   "medications", "medicament", "medicaments", "treatment", "traitement",
                   "symptom", "symptoms", "symptome", "symptomes", "hiv", "psychiatric",
                   "vaccination", "vaccine", "vaccin", "covid", "icd", "icd10", "pathology",
                   "pathologie", "antecedents", "marad", "sihha", "sante", "salud", "saude",
                   "gesundheit", "sanguin", "fasila", "fasilat", "bloodtype", "bloodgroup", "smoker", "smoking",
                   "alcohol", "mental", "therapy", "clinical", "medicaux", "medical",
                   "diagnostico", "malattia", "krankheit", "doenca", "enfermedad", "maladie",
                   "maladies", "dawa", "prescription", "prescriptions", "condition",
                   "conditions", "blood", "insulin", "diabetes", "diabetic"});
    add("GENETIC", {"genetic", "genetics", "dna", "genome", "genotype", "adn", "genetique"});
    add("BIOMETRIC", {"biometric", "biometrics", "fingerprint", "fingerprints", "faceprint",
                      "iris", "empreinte", "empreintes", "voiceprint", "biometrie", "facial"});
    add("ETHNIC", {"ethnicity", "ethnic", "race", "racial", "ethnie", "ethnique", "etnia"});
    add("POLITICAL", {"political", "politics", "politique", "politica", "siyasi"});
    add("RELIGION", {"religion", "religious", "faith", "religieux", "religieuse", "religione",
                     "diyana", "religiao", "confession", "culte"});
    add("UNION", {"union", "syndicat", "syndical", "syndique", "niqaba"});
    add("TRADE", {"trade"});
    add("MEMBER", {"member", "membership", "adherent", "membre"});
    add("SEXUAL", {"sexual", "sexuelle", "sexuality"});
    add("ORIENTATION", {"orientation"});
    add("CRIMINAL", {"criminal", "conviction", "convictions", "offence", "offense", "casier",
                     "judiciaire", "penal", "offences", "criminel"});
    add("BILLING", {"billing", "shipping", "delivery", "home", "mailing", "residence",
                    "residential", "livraison", "facturation", "domicile", "personal", "perso",
                    "private", "ship", "bill", "envio", "entrega", "lieferung", "rechnung",
                    "permanent", "current", "sakan"});
    add("PERSON", {"contact", "customer", "cust", "client", "employee", "emp", "patient",
                   "owner", "holder", "recipient", "sender", "guest", "author", "member",
                   "person", "student", "teacher", "parent", "mother", "father", "spouse",
                   "emergency", "manager", "applicant", "candidate", "buyer", "seller",
                   "beneficiary", "driver", "passenger", "visitor", "subscriber", "doctor",
                   "physician", "nurse", "tutor", "guardian", "child", "kid", "agent",
                   "representative", "signatory", "titulaire", "destinataire", "expediteur",
                   "contacto", "cliente", "kunde", "zaboun", "muwazzaf", "marid", "talib",
                   "mere", "pere", "conjoint", "responsable", "referent", "medecin",
                   "billingcontact", "traveller", "traveler", "attendee", "participant",
                   "reviewer", "commenter", "referrer", "sponsor", "lead", "prospect",
                   "employe", "salarie", "eleve", "etudiant", "abonne", "adherent", "individual",
                   "consumer", "shopper", "donor", "volunteer", "worker", "staff", "tenant",
                   "landlord", "resident", "nom_client"});
    return m;
  }();
  return map;
}

// Words that end a name about something else than the value ("email_verified",
// "address_id", "phone_type").
const std::unordered_set<std::string>& closing_words() {
  static const std::unordered_set<std::string> words = {
      "id", "ids", "uuid", "guid", "fk", "key", "count", "type", "kind", "status", "format",
      "verified", "confirmed", "validated", "enabled", "disabled", "visible", "visibility",
      "public", "privacy", "optin", "opt", "consent", "flag", "changed", "updated", "sent",
      "at", "on", "length", "len", "size", "required", "allowed", "preference", "preferences",
      "template", "provider", "source", "hash", "digest", "salt", "sha", "md5", "domain",
      "policy", "version", "schema", "mode", "level", "label", "category", "categorie",
      "bounced", "unsubscribed", "optout", "settings", "field", "fields", "col", "column",
      "regex", "pattern", "mask", "masked", "encrypted", "checked", "valid", "invalid",
      "confirmation", "verification", "notifications", "notification", "reminder", "sequence",
      "seq", "index", "idx", "rank", "order", "score", "weight", "limit", "max", "min",
      "attempts", "tries", "token", "tokens", "secret", "otp", "pin", "color", "colour",
      "url_template", "stamp", "timestamp", "time", "updatedat", "createdat", "prefix", "suffix",
      "approved", "approval", "moderated", "spam", "counter"};
  return words;
}

// Concepts too general to mean anything personal beside other words ("product_name",
// "long_description", "page_title"), unless a word naming a person qualifies them.
const std::unordered_set<std::string>& generic_concepts() {
  static const std::unordered_set<std::string> set = {"NAME", "LONG", "TITLE", "LOCATION",
                                                      "IMAGE", "COMPANY", "GENRE", "UNION", "LINE"};
  return set;
}

// The meaning words a whole identifier reduces to: what a column name is about.
using Concepts = std::vector<std::string>;

struct Rule {
  Concepts pattern;
  const char* kind;
  bool contextual = false;
  bool needs_address = false;
};

const std::vector<Rule>& rules() {
  static const std::vector<Rule> list = [] {
    std::vector<Rule> r = {
        {{"EMAIL", "ADDRESS"}, "email"},
        {{"ADDRESS", "EMAIL"}, "email"},
        {{"ADDRESS", "ELECTRONIC"}, "email"},
        {{"EMAIL", "ELECTRONIC"}, "email"},
        {{"E", "EMAIL"}, "email"},
        {{"IP", "ADDRESS"}, "ip"},
        {{"ADDRESS", "IP"}, "ip"},
        {{"REMOTE", "ADDRESS"}, "ip"},
        {{"REMOTE", "IP"}, "ip"},
        {{"MAC", "ADDRESS"}, "mac"},
        {{"ADDRESS", "MAC"}, "mac"},
        {{"USER", "AGENT"}, "user_agent"},
        {{"FIRST", "NAME"}, "first_name"},
        {{"MIDDLE", "NAME"}, "first_name"},
        {{"NAME", "FIRST"}, "first_name"},
        {{"LAST", "NAME"}, "last_name"},
        {{"NAME", "LAST"}, "last_name"},
        {{"NAME", "FAMILY"}, "last_name"},
        {{"FULL", "NAME"}, "full_name"},
        {{"NAME", "FULL"}, "full_name"},
        {{"DISPLAY", "NAME"}, "full_name"},
        {{"MAIDEN", "NAME"}, "maiden_name"},
        {{"NAME", "MAIDEN"}, "maiden_name"},
        {{"BIRTH", "NAME"}, "maiden_name"},
        {{"NAME", "BIRTH"}, "maiden_name"},
        {{"NICK", "NAME"}, "nickname"},
        {{"USER", "NAME"}, "username"},
        {{"NAME", "USER"}, "username"},
        {{"USERNAME", "NAME"}, "username"},
        {{"SCREEN", "NAME"}, "username"},
        {{"USER", "USERNAME"}, "username"},
        {{"PERSON", "NAME"}, "full_name"},
        {{"MEMBER", "NAME"}, "full_name"},
        {{"COMPANY", "NAME"}, "employer", true},
        {{"NAME", "PERSON"}, "full_name"},
        {{"PERSON", "FIRSTNAME"}, "first_name"},
        {{"PERSON", "LASTNAME"}, "last_name"},
        {{"BIRTH", "DATE"}, "birth_date"},
        {{"DATE", "BIRTH"}, "birth_date"},
        {{"BIRTH", "PLACE"}, "birth_place"},
        {{"PLACE", "BIRTH"}, "birth_place"},
        {{"BIRTH", "CITY"}, "birth_place"},
        {{"CITY", "BIRTH"}, "birth_place"},
        {{"BIRTH", "COUNTRY"}, "birth_place"},
        {{"COUNTRY", "BIRTH"}, "birth_place"},
        {{"NATIONAL", "ID"}, "national_id"},
        {{"NATIONAL", "NUMBER"}, "national_id"},
        {{"NATIONAL", "IDENTITY"}, "national_id"},
        {{"NUMBER", "NATIONAL"}, "national_id"},
        {{"ID", "NATIONAL"}, "national_id"},
        {{"SOCIAL", "SECURITY"}, "national_id"},
        {{"SECURITY", "SOCIAL"}, "national_id"},
        {{"IDENTITY", "CARD"}, "national_id"},
        {{"CARD", "IDENTITY"}, "national_id"},
        {{"ID", "CARD"}, "national_id"},
        {{"IDENTITY", "NUMBER"}, "national_id"},
        {{"NUMBER", "IDENTITY"}, "national_id"},
        {{"DRIVING", "LICENCE"}, "driving_licence"},
        {{"LICENCE", "DRIVING"}, "driving_licence"},
        {{"PERMIS", "DRIVING"}, "driving_licence"},
        {{"PERMIS", "LICENCE"}, "driving_licence"},
        {{"TAX", "ID"}, "tax_id"},
        {{"TAX", "NUMBER"}, "tax_id"},
        {{"TAX", "CODE"}, "tax_id"},
        {{"NUMBER", "TAX"}, "tax_id"},
        {{"ID", "TAX"}, "tax_id"},
        {{"CODE", "TAX"}, "tax_id"},
        {{"BANK", "ACCOUNT"}, "bank_account"},
        {{"ACCOUNT", "BANK"}, "bank_account"},
        {{"ACCOUNT", "NUMBER"}, "bank_account", true},
        {{"NUMBER", "ACCOUNT"}, "bank_account", true},
        {{"CARD", "NUMBER"}, "card_number"},
        {{"NUMBER", "CARD"}, "card_number"},
        {{"BANK", "CARD"}, "card_number"},
        {{"CARD", "BANK"}, "card_number"},
        {{"CC", "NUMBER"}, "card_number"},
        {{"DEVICE", "ID"}, "device_id"},
        {{"DEVICE", "TOKEN"}, "device_id"},
        {{"PUSH", "TOKEN"}, "device_id"},
        {{"PUSH", "ID"}, "device_id"},
        {{"ADVERTISING", "ID"}, "advertising_id"},
        {{"HIRE", "DATE"}, "hire_date"},
        {{"DATE", "HIRE"}, "hire_date"},
        {{"JOB", "TITLE"}, "job_title"},
        {{"PROFILE", "IMAGE"}, "photo"},
        {{"PROFILE", "PHOTO"}, "photo"},
        {{"TRADE", "UNION"}, "trade_union"},
        {{"UNION", "MEMBER"}, "trade_union"},
        {{"SEXUAL", "ORIENTATION"}, "sex_life"},
        {{"POSTAL", "CODE"}, "postal_code", true},
        {{"CODE", "POSTAL"}, "postal_code", true},
        {{"COUNTRY", "CODE"}, "country", true},
        {{"CODE", "COUNTRY"}, "country", true},
        {{"LAT", "LON"}, "geolocation"},
        {{"CODE", "EMAIL"}, "postal_code", true},
        {{"NUMBER", "SECURITY"}, "national_id"},
        {{"NOTES", "PERSON"}, "full_name"},
        {{"PHOTO", "URL"}, "photo"},
        {{"NOTES", "AGENT"}, "user_agent"},
        {{"IMAGE", "URL"}, "photo", true},
        {{"PROFILE", "URL"}, "photo", true},
        // One meaning.
        {{"EMAIL"}, "email"},
        {{"PHONE"}, "phone"},
        {{"FAX"}, "fax"},
        {{"FIRSTNAME"}, "first_name"},
        {{"LASTNAME"}, "last_name"},
        {{"FULLNAME"}, "full_name"},
        {{"MAIDEN"}, "maiden_name"},
        {{"NICK"}, "nickname"},
        {{"USERNAME"}, "username"},
        {{"STREET"}, "street_address"},
        {{"ADDRESS"}, "street_address"},
        {{"CITY"}, "city", true},
        {{"POSTAL"}, "postal_code", true},
        {{"REGION"}, "region", true, true},
        {{"COUNTRY"}, "country", true},
        {{"BIRTHDATE"}, "birth_date"},
        {{"BIRTH"}, "birth_date"},
        {{"AGE"}, "age", true},
        {{"GENDER"}, "gender"},
        {{"GENRE"}, "gender", true},
        {{"TITLE"}, "job_title", true},
        {{"NATIONALITY"}, "nationality"},
        {{"SSN"}, "national_id"},
        {{"PASSPORT"}, "passport"},
        {{"DRIVINGLICENCE"}, "driving_licence"},
        {{"TIN"}, "tax_id"},
        {{"IBAN"}, "iban"},
        {{"BIC"}, "bic"},
        {{"CC"}, "card_number"},
        {{"CVV"}, "card_number"},
        {{"IP"}, "ip"},
        {{"MAC"}, "mac"},
        {{"DEVICEID"}, "device_id"},
        {{"ADID"}, "advertising_id"},
        {{"UA"}, "user_agent"},
        {{"LAT"}, "geolocation"},
        {{"LON"}, "geolocation"},
        {{"GEO"}, "geolocation"},
        {{"LONG"}, "geolocation", true, true},
        {{"LOCATION"}, "geolocation", true},
        {{"NOTES"}, "free_text", true},
        {{"PHOTO"}, "photo"},
        {{"IMAGE"}, "photo", true},
        {{"HIREDATE"}, "hire_date"},
        {{"HIRE"}, "hire_date"},
        {{"SALARY"}, "salary"},
        {{"JOB"}, "job_title"},
        {{"EMPLOYER"}, "employer"},
        {{"COMPANY"}, "employer", true},
        {{"HEALTH"}, "health"},
        {{"GENETIC"}, "genetic"},
        {{"BIOMETRIC"}, "biometric"},
        {{"ETHNIC"}, "ethnic_origin"},
        {{"POLITICAL"}, "political_opinions"},
        {{"RELIGION"}, "religious_beliefs"},
        {{"UNION"}, "trade_union", true},
        {{"CRIMINAL"}, "criminal_offences"},
        {{"LINE"}, "street_address", true},
        {{"NAME"}, "full_name", true},
    };
    return r;
  }();
  return list;
}

// Every word a run-together name may be made of.
const std::unordered_set<std::string>& vocabulary() {
  static const std::unordered_set<std::string> words = [] {
    std::unordered_set<std::string> v;
    for (const auto& [word, meaning] : concepts())
      if (word.size() >= 2 || meaning == "OF") v.insert(word);
    for (const char* w : {"code", "number", "date", "line", "work", "main", "primary", "secondary",
                          "alt", "other", "new", "old", "last", "first", "user", "account", "at",
                          "created", "updated", "is", "has", "verified", "id", "type", "status",
                          "one", "two", "value", "home", "office", "mobile", "customer", "billing",
                          "shipping", "contact", "nom", "prenom", "naissance", "postal"})
      v.insert(w);
    return v;
  }();
  return words;
}

// Fold the UTF-8 accented Latin letters names use to ASCII ("prénom" → "prenom").
std::string fold(std::string_view text) {
  static const std::unordered_map<std::string, char> k_letters = {
      {"à", 'a'}, {"â", 'a'}, {"ä", 'a'}, {"á", 'a'}, {"ã", 'a'}, {"ç", 'c'}, {"é", 'e'},
      {"è", 'e'}, {"ê", 'e'}, {"ë", 'e'}, {"î", 'i'}, {"ï", 'i'}, {"í", 'i'}, {"ô", 'o'},
      {"ö", 'o'}, {"ó", 'o'}, {"õ", 'o'}, {"ù", 'u'}, {"û", 'u'}, {"ü", 'u'}, {"ú", 'u'},
      {"ñ", 'n'}, {"É", 'E'}, {"È", 'E'}, {"À", 'A'}, {"Ç", 'C'}, {"Ö", 'O'}, {"Ü", 'U'},
      {"ß", 's'}};
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      continue;
    }
    std::size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
    auto it = k_letters.find(std::string(text.substr(i, n)));
    out += it != k_letters.end() ? it->second : '_';
    i += n - 1;
  }
  return out;
}

// Split WORD into as few vocabulary words as possible (each of 2 letters or more), or {}.
std::vector<std::string> segment(const std::string& word) {
  const auto& vocab = vocabulary();
  std::size_t n = word.size();
  std::vector<int> best(n + 1, 1000), from(n + 1, -1);
  best[0] = 0;
  for (std::size_t end = 1; end <= n; ++end)
    for (std::size_t start = 0; start + 2 <= end; ++start)
      if (best[start] + 1 < best[end] && vocab.count(word.substr(start, end - start))) {
        best[end] = best[start] + 1;
        from[end] = static_cast<int>(start);
      }
  if (best[n] > 4) return {};
  std::vector<std::string> parts;
  for (std::size_t end = n; end > 0; end = static_cast<std::size_t>(from[end]))
    parts.insert(parts.begin(), word.substr(from[end], end - from[end]));
  return parts;
}

bool is_upper(char c) {
  return std::isupper(static_cast<unsigned char>(c)) != 0;
}
bool is_lower(char c) {
  return std::islower(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// The raw pieces of an identifier, before run-together words are split.
std::vector<std::string> pieces(const std::string& text) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      out.emplace_back();
      continue;
    }
    if (i > 0 && !out.back().empty()) {
      char p = text[i - 1];
      bool camel = is_upper(c) && is_lower(p);
      bool acronym_end = is_upper(c) && is_upper(p) && i + 1 < text.size() && is_lower(text[i + 1]);
      bool digits = is_digit(c) != is_digit(p);
      if (camel || acronym_end || digits) out.emplace_back();
    }
    out.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  out.erase(std::remove(out.begin(), out.end(), std::string()), out.end());
  // A lone letter starts the next word: "LName" → lname, "EMail" → email.
  for (std::size_t i = 0; i + 1 < out.size(); ++i)
    if (out[i].size() == 1 && std::isalpha(static_cast<unsigned char>(out[i][0])) &&
        std::isalpha(static_cast<unsigned char>(out[i + 1][0])) && out[i] != "e") {
      out[i] += out[i + 1];
      out.erase(out.begin() + static_cast<long>(i) + 1);
    }
  return out;
}

std::string singular(const std::string& word) {
  if (word.size() > 4 && word.compare(word.size() - 3, 3, "ies") == 0)
    return word.substr(0, word.size() - 3) + "y";
  if (word.size() > 3 && word.back() == 's' && word[word.size() - 2] != 's')
    return word.substr(0, word.size() - 1);
  return word;
}

bool contains_at(const Concepts& seq, std::size_t at, const Concepts& pattern) {
  if (at + pattern.size() > seq.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i)
    if (seq[at + i] != pattern[i]) return false;
  return true;
}

// Kinds that are identifiers themselves, so "national_id" or "tax_id" still counts.
bool names_an_identifier(std::string_view kind) {
  return kind == "national_id" || kind == "tax_id" || kind == "device_id" ||
         kind == "advertising_id" || kind == "passport" || kind == "driving_licence" ||
         kind == "card_number" || kind == "bank_account" || kind == "iban";
}

bool kind_fits_type(std::string_view kind, ColumnType type, bool special) {
  switch (type) {
    case ColumnType::text:
    case ColumnType::json:
      return true;
    case ColumnType::boolean:
      return special;
    case ColumnType::date:
    case ColumnType::timestamp:
      return kind == "birth_date" || kind == "hire_date" || special;
    case ColumnType::blob:
      return kind == "photo" || kind == "biometric" || kind == "free_text" || special;
    case ColumnType::integer:
      if (kind == "phone" || kind == "postal_code" || kind == "ip" || kind == "gender" ||
          kind == "age" || kind == "birth_date" || kind == "salary" || kind == "geolocation" ||
          kind == "fax")
        return true;
      return special || names_an_identifier(kind);
    case ColumnType::real:
    case ColumnType::numeric:
      return kind == "age" || kind == "salary" || kind == "geolocation" || special;
  }
  return false;
}

}  // namespace

std::vector<std::string> name_words(std::string_view identifier) {
  std::vector<std::string> out;
  for (const auto& piece : pieces(fold(identifier))) {
    if (piece.size() >= 6 && !concepts().count(piece) && !vocabulary().count(piece)) {
      auto parts = segment(piece);
      if (!parts.empty()) {
        out.insert(out.end(), parts.begin(), parts.end());
        continue;
      }
    }
    out.push_back(piece);
  }
  return out;
}

TableRole table_role(std::string_view table) {
  static const std::unordered_set<std::string> people = {
      "user", "customer", "client", "employee", "member", "person", "people", "patient",
      "contact", "staff", "author", "student", "pupil", "teacher", "profile", "subscriber",
      "applicant", "candidate", "guest", "visitor", "buyer", "shopper", "driver", "resident",
      "citizen", "beneficiary", "emp", "employe", "utilisateur", "salarie", "adherent",
      "abonne", "eleve", "etudiant", "personne", "medecin", "doctor", "physician", "nurse",
      "practitioner", "volunteer", "passenger", "traveler", "traveller", "worker", "lead",
      "prospect", "consumer", "individual", "mustakhdim", "zaboun", "zabun", "muwazzaf",
      "marid", "talib", "usager", "benutzer", "kunde", "mitarbeiter", "cliente", "usuario",
      "empleado", "paciente", "utente", "dipendente", "pessoa", "funcionario", "persona",
      "personnel", "account", "identity", "usermeta", "donor", "attendee", "participant",
      "moudhaf", "mouwatin", "muwatin", "amil", "tenant", "landlord", "owner", "agent",
      "parent", "child", "guardian", "spouse", "beneficiaire", "interlocuteur", "famille",
      "family", "lecteur", "reader", "membre", "joueur", "player", "athlete", "mustakhdimin",
      "zabain", "zaban", "muwazzafin", "marda", "tullab", "practitioner", "salaries"};
  static const std::unordered_set<std::string> linked = {
      "order", "invoice", "address", "addresse", "adresse", "booking", "reservation",
      "appointment", "shipment", "shipping", "delivery", "payment", "subscription", "commande",
      "facture", "livraison", "paiement", "rendez", "consultation", "prescription", "visit",
      "admission", "enrollment", "enrolment", "registration", "inscription", "application",
      "message", "review", "session", "signup", "claim", "contract", "contrat", "lease", "loan",
      "membership", "attendance", "timesheet", "payslip", "payroll", "leave", "absence",
      "encounter", "diagnosis", "vaccination", "talab", "fatura", "mawid", "ticket", "comment",
      "feedback", "survey", "response", "answer", "donation", "transaction", "cart", "basket",
      "wishlist", "referral", "dossier", "record", "medical", "hospitalisation", "sejour",
      "stay", "trip", "ride", "emergency", "dependent", "kin", "paie", "bulletin", "conge",
      "candidature", "entretien", "interview", "evaluation", "complaint", "reclamation"};
  static const std::unordered_set<std::string> organisations = {
      "store", "shop", "warehouse", "supplier", "vendor", "company", "organization",
      "organisation", "branch", "office", "site", "venue", "hotel", "airport", "agency", "bank",
      "school", "hospital", "clinic", "pharmacy", "laboratory", "lab", "facility", "depot",
      "entrepot", "magasin", "fournisseur", "societe", "entreprise", "agence", "boutique",
      "restaurant", "carrier", "manufacturer", "brand", "partner", "country", "city", "region",
      "location", "currency", "tax", "shipper", "merchant", "sharika", "dukkan", "makhzan",
      "establishment", "etablissement", "department", "service", "ward", "room", "tenant_org",
      "mustashfa", "madrasa", "place", "zone", "postcode", "geo"};
  auto words = name_words(table);
  // The head word first ("shop_order" is about orders), then the others.
  if (!words.empty()) {
    std::string head = words.back(), s = singular(head);
    if (people.count(head) || people.count(s)) return TableRole::people;
    if (linked.count(head) || linked.count(s)) return TableRole::linked;
    if (organisations.count(head) || organisations.count(s)) return TableRole::organisation;
  }
  bool org = false, link = false;
  for (const auto& w : words) {
    std::string s = singular(w);
    if (people.count(w) || people.count(s)) return TableRole::people;
    if (organisations.count(w) || organisations.count(s)) org = true;
    if (linked.count(w) || linked.count(s)) link = true;
  }
  if (org) return TableRole::organisation;
  return link ? TableRole::linked : TableRole::other;
}

const char* table_role_name(TableRole role) {
  switch (role) {
    case TableRole::people:
      return "people";
    case TableRole::linked:
      return "linked";
    case TableRole::organisation:
      return "organisation";
    case TableRole::other:
      break;
  }
  return "other";
}

NameMatch match_column_name(std::string_view column, ColumnType type) {
  NameMatch match;
  auto words = name_words(column);
  if (words.empty()) return match;
  // "email_verified_at", "address_id", "phone_type": about the datum, not the datum.
  std::string closing = words.back();
  if (words.size() > 1 && closing_words().count(closing) == 0 && is_digit(closing[0]))
    closing = words[words.size() - 2];
  Concepts seq;
  std::vector<std::size_t> origin;  // word index of each meaning
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto it = concepts().find(words[i]);
    if (it == concepts().end()) {
      if (is_digit(words[i][0])) continue;
      seq.push_back("?" + words[i]);
    } else if (it->second == "OF") {
      continue;
    } else {
      seq.push_back(it->second);
    }
    origin.push_back(i);
  }
  // Which rule matches where: prefer a phrase ending with the name's last concept (the head
  // of an English compound: "comment_author_email"), then the last concept alone, then any
  // phrase, then any concept.
  auto qualifies = [&](const Rule& rule, std::size_t at) {
    bool alone = seq.size() == rule.pattern.size();
    bool qualified = false;
    for (std::size_t i = 0; i < seq.size(); ++i) {
      if (i >= at && i < at + rule.pattern.size()) continue;
      if (seq[i] == "PERSON" || seq[i] == "USER") qualified = true;
      if (seq[i] == "BILLING") qualified = true;
    }
    return !(rule.pattern.size() == 1 && generic_concepts().count(rule.pattern[0]) && !alone &&
             !qualified);
  };
  const Rule* chosen = nullptr;
  std::size_t chosen_at = 0;
  auto choose = [&](bool phrases, bool at_end) {
    for (const Rule& rule : rules()) {
      if ((rule.pattern.size() > 1) != phrases) continue;
      for (std::size_t at = 0; at < seq.size(); ++at) {
        if (at_end && at + rule.pattern.size() != seq.size()) continue;
        if (contains_at(seq, at, rule.pattern) && qualifies(rule, at)) {
          chosen = &rule;
          chosen_at = at;
          return true;
        }
      }
    }
    return false;
  };
  if (!choose(true, true) && !choose(false, true)) {
    if (seq.empty() || seq.back() == "URL") return match;
    if (!choose(true, false)) choose(false, false);
  }
  if (!chosen) return match;
  std::string_view kind = chosen->kind;
  const KindInfo* info = kind_info(kind);
  // A special category stays one whatever follows ("blood_type", "religion_id").
  bool closing_kills = closing_words().count(closing) > 0 && !(info && info->special) &&
                       !(closing == "id" && names_an_identifier(kind));
  if (closing_kills && words.size() > 1) return match;
  if (!kind_fits_type(kind, type, info && info->special)) return match;
  for (std::size_t i = 0; i < seq.size(); ++i) {
    // A word naming a person, inside the phrase ("contact_name") or beside it ("contact_email").
    if (seq[i] == "PERSON" || seq[i] == "USER") match.person_modifier = true;
    if (seq[i] == "BILLING") match.billing = true;
  }
  match.kind = chosen->kind;
  match.contextual = chosen->contextual;
  match.needs_address = chosen->needs_address;
  for (std::size_t i = chosen_at; i < chosen_at + chosen->pattern.size(); ++i)
    match.words.push_back(words[origin[i]]);
  return match;
}

std::string personal_by_name(std::string_view name) {
  NameMatch match = match_column_name(name, ColumnType::text);
  if (match.contextual || match.needs_address) return "";
  return match.kind;
}

}  // namespace dihya::rgpd

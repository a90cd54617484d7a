//! Labels: the words Folio itself prints or writes around the book's text
//! — "Contents", "Cover", "Title Page", "Published by …" — in the book's
//! language, each replaceable in book.yaml's `labels:`.
//!
//! Place in the pipeline: config resolves one [`Labels`] from the book's
//! language and the overrides into the model's metadata; both writers read
//! it from there (the typesetter's contents heading, running head and
//! imprint; the EPUB's nav heading, landmarks, cover page and task-list
//! boxes), so the PDF and the EPUB always say the same thing.
//!
//! The words are those printed books in each language use (`Inhalt`,
//! `Table des matières`, `目次`), not word-for-word translations. A label
//! with `{}` is a pattern: Folio puts the number, name or names there.

/// One label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Label {
    /// Heading of the table of contents (PDF page and running head, EPUB nav).
    Contents,
    /// The cover (EPUB cover page title, landmark and the image's text).
    Cover,
    /// The title page (EPUB landmark).
    TitlePage,
    /// Where the text begins (EPUB `bodymatter` landmark).
    Start,
    /// The EPUB's list of print pages (its accessible name).
    PageList,
    /// Notes (a heading for footnotes gathered in one place).
    Notes,
    /// A numbered chapter: `Chapter {}`.
    Chapter,
    /// A numbered page: `Page {}`.
    Page,
    /// The copyright page.
    Copyright,
    /// The publisher line of the imprint: `Published by {}`.
    PublishedBy,
    /// The authors of the book: `by {}` (in the cover's text).
    By,
    /// Between the last two of several names: ` and `.
    And,
    /// Between the other names of a list: `, `.
    ListSeparator,
    /// A ticked task-list box (its accessible name).
    Done,
    /// An empty task-list box.
    NotDone,
}

impl Label {
    /// Every label, in table column order.
    pub const ALL: [Label; 15] = [
        Label::Contents,
        Label::Cover,
        Label::TitlePage,
        Label::Start,
        Label::PageList,
        Label::Notes,
        Label::Chapter,
        Label::Page,
        Label::Copyright,
        Label::PublishedBy,
        Label::By,
        Label::And,
        Label::ListSeparator,
        Label::Done,
        Label::NotDone,
    ];

    /// The key naming it in book.yaml's `labels:`.
    pub fn key(self) -> &'static str {
        match self {
            Label::Contents => "contents",
            Label::Cover => "cover",
            Label::TitlePage => "title-page",
            Label::Start => "start",
            Label::PageList => "page-list",
            Label::Notes => "notes",
            Label::Chapter => "chapter",
            Label::Page => "page",
            Label::Copyright => "copyright",
            Label::PublishedBy => "published-by",
            Label::By => "by",
            Label::And => "and",
            Label::ListSeparator => "list-separator",
            Label::Done => "done",
            Label::NotDone => "not-done",
        }
    }

    fn column(self) -> usize {
        Label::ALL.iter().position(|l| *l == self).unwrap_or(0)
    }

    /// Whether the label is a pattern with `{}`.
    pub fn is_pattern(self) -> bool {
        matches!(
            self,
            Label::Chapter | Label::Page | Label::PublishedBy | Label::By
        )
    }
}

/// The labels of one book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    values: Vec<String>,
}

impl Default for Labels {
    /// English.
    fn default() -> Labels {
        Labels::for_language("en")
    }
}

impl Labels {
    /// The labels of a language (a BCP 47 tag), English for a language
    /// the table does not have.
    pub fn for_language(tag: &str) -> Labels {
        let row = row_for(tag);
        Labels {
            values: row.iter().map(|s| (*s).to_string()).collect(),
        }
    }

    /// Replaces a label (a pattern keeps its `{}` where the author put it).
    pub fn set(&mut self, label: Label, value: &str) {
        self.values[label.column()] = value.to_string();
    }

    /// The label's text.
    pub fn get(&self, label: Label) -> &str {
        &self.values[label.column()]
    }

    /// A pattern label with `value` in place of its `{}` (appended after a
    /// space when an override left it out).
    pub fn fill(&self, label: Label, value: &str) -> String {
        let pattern = self.get(label);
        if pattern.contains("{}") {
            pattern.replacen("{}", value, 1)
        } else {
            format!("{pattern} {value}")
        }
    }

    /// Names joined as the language lists them: `A, B and C`.
    pub fn list(&self, names: &[&str]) -> String {
        match names {
            [] => String::new(),
            [one] => (*one).to_string(),
            [rest @ .., last] => format!(
                "{}{}{last}",
                rest.join(self.get(Label::ListSeparator)),
                self.get(Label::And)
            ),
        }
    }

    /// Applies book.yaml's `labels:` map; returns the keys it does not know.
    pub fn apply(&mut self, overrides: &std::collections::BTreeMap<String, String>) -> Vec<String> {
        let mut unknown = Vec::new();
        for (key, value) in overrides {
            match Label::ALL.iter().find(|l| l.key() == key.as_str()) {
                Some(&label) => self.set(label, value),
                None => unknown.push(key.clone()),
            }
        }
        unknown
    }
}

/// The table's row for a language tag: the tag itself (`pt-BR`,
/// `zh-Hant`), its script or region variants (`zh-TW` → `zh-Hant`), its
/// primary language, else English.
fn row_for(tag: &str) -> &'static [&'static str; 15] {
    let lower = tag.trim().to_ascii_lowercase();
    let mut parts = lower.split(['-', '_']);
    let primary = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    let key = match primary {
        "zh" if rest
            .iter()
            .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo")) =>
        {
            "zh-hant"
        }
        "zh" => "zh-hans",
        "pt" if rest.contains(&"br") => "pt-br",
        "no" | "nn" => "nb",
        p => p,
    };
    TABLE
        .iter()
        .find(|(lang, _)| *lang == key)
        .or_else(|| TABLE.first())
        .map(|(_, row)| row)
        .expect("the table has English")
}

/// The languages Folio speaks: [`Label::ALL`] order in each row —
/// contents, cover, title page, start, page list, notes, chapter, page,
/// copyright, published by, by, and, list separator, done, not done.
const TABLE: &[(&str, [&str; 15])] = &[
    (
        "en",
        [
            "Contents",
            "Cover",
            "Title Page",
            "Start of Content",
            "Page list",
            "Notes",
            "Chapter {}",
            "Page {}",
            "Copyright",
            "Published by {}",
            "by {}",
            " and ",
            ", ",
            "done",
            "not done",
        ],
    ),
    (
        "de",
        [
            "Inhalt",
            "Umschlag",
            "Titelseite",
            "Textbeginn",
            "Seitenliste",
            "Anmerkungen",
            "Kapitel {}",
            "Seite {}",
            "Impressum",
            "Erschienen bei {}",
            "von {}",
            " und ",
            ", ",
            "erledigt",
            "offen",
        ],
    ),
    (
        "fr",
        [
            "Table des matières",
            "Couverture",
            "Page de titre",
            "Début du texte",
            "Liste des pages",
            "Notes",
            "Chapitre {}",
            "Page {}",
            "Copyright",
            "Publié par {}",
            "par {}",
            " et ",
            ", ",
            "fait",
            "à faire",
        ],
    ),
    (
        "es",
        [
            "Índice",
            "Cubierta",
            "Portada",
            "Comienzo del texto",
            "Lista de páginas",
            "Notas",
            "Capítulo {}",
            "Página {}",
            "Créditos",
            "Publicado por {}",
            "de {}",
            " y ",
            ", ",
            "hecho",
            "pendiente",
        ],
    ),
    (
        "it",
        [
            "Indice",
            "Copertina",
            "Frontespizio",
            "Inizio del testo",
            "Elenco delle pagine",
            "Note",
            "Capitolo {}",
            "Pagina {}",
            "Copyright",
            "Pubblicato da {}",
            "di {}",
            " e ",
            ", ",
            "fatto",
            "da fare",
        ],
    ),
    (
        "pt",
        [
            "Índice",
            "Capa",
            "Folha de rosto",
            "Início do texto",
            "Lista de páginas",
            "Notas",
            "Capítulo {}",
            "Página {}",
            "Ficha técnica",
            "Publicado por {}",
            "de {}",
            " e ",
            ", ",
            "feito",
            "por fazer",
        ],
    ),
    (
        "pt-br",
        [
            "Sumário",
            "Capa",
            "Folha de rosto",
            "Início do texto",
            "Lista de páginas",
            "Notas",
            "Capítulo {}",
            "Página {}",
            "Créditos",
            "Publicado por {}",
            "de {}",
            " e ",
            ", ",
            "feito",
            "pendente",
        ],
    ),
    (
        "nl",
        [
            "Inhoud",
            "Omslag",
            "Titelpagina",
            "Begin van de tekst",
            "Paginalijst",
            "Noten",
            "Hoofdstuk {}",
            "Pagina {}",
            "Colofon",
            "Uitgegeven door {}",
            "door {}",
            " en ",
            ", ",
            "gedaan",
            "open",
        ],
    ),
    (
        "sv",
        [
            "Innehåll",
            "Omslag",
            "Titelsida",
            "Textens början",
            "Sidlista",
            "Noter",
            "Kapitel {}",
            "Sida {}",
            "Copyright",
            "Utgiven av {}",
            "av {}",
            " och ",
            ", ",
            "klar",
            "ej klar",
        ],
    ),
    (
        "da",
        [
            "Indhold",
            "Omslag",
            "Titelblad",
            "Tekstens begyndelse",
            "Sideliste",
            "Noter",
            "Kapitel {}",
            "Side {}",
            "Kolofon",
            "Udgivet af {}",
            "af {}",
            " og ",
            ", ",
            "udført",
            "ikke udført",
        ],
    ),
    (
        "nb",
        [
            "Innhold",
            "Omslag",
            "Tittelside",
            "Tekstens begynnelse",
            "Sideliste",
            "Noter",
            "Kapittel {}",
            "Side {}",
            "Kolofon",
            "Utgitt av {}",
            "av {}",
            " og ",
            ", ",
            "utført",
            "ikke utført",
        ],
    ),
    (
        "fi",
        [
            "Sisällys",
            "Kansi",
            "Nimiösivu",
            "Tekstin alku",
            "Sivuluettelo",
            "Viitteet",
            "Luku {}",
            "Sivu {}",
            "Tekijänoikeudet",
            "Julkaisija: {}",
            "kirjoittanut {}",
            " ja ",
            ", ",
            "tehty",
            "tekemättä",
        ],
    ),
    (
        "pl",
        [
            "Spis treści",
            "Okładka",
            "Strona tytułowa",
            "Początek tekstu",
            "Lista stron",
            "Przypisy",
            "Rozdział {}",
            "Strona {}",
            "Prawa autorskie",
            "Wydawca: {}",
            "autor: {}",
            " i ",
            ", ",
            "zrobione",
            "do zrobienia",
        ],
    ),
    (
        "cs",
        [
            "Obsah",
            "Obálka",
            "Titulní strana",
            "Začátek textu",
            "Seznam stran",
            "Poznámky",
            "Kapitola {}",
            "Strana {}",
            "Tiráž",
            "Vydal {}",
            "autor: {}",
            " a ",
            ", ",
            "hotovo",
            "nehotovo",
        ],
    ),
    (
        "ru",
        [
            "Содержание",
            "Обложка",
            "Титульный лист",
            "Начало текста",
            "Список страниц",
            "Примечания",
            "Глава {}",
            "Страница {}",
            "Выходные данные",
            "Издатель: {}",
            "автор: {}",
            " и ",
            ", ",
            "выполнено",
            "не выполнено",
        ],
    ),
    (
        "uk",
        [
            "Зміст",
            "Обкладинка",
            "Титульна сторінка",
            "Початок тексту",
            "Список сторінок",
            "Примітки",
            "Розділ {}",
            "Сторінка {}",
            "Вихідні дані",
            "Видавець: {}",
            "автор: {}",
            " і ",
            ", ",
            "виконано",
            "не виконано",
        ],
    ),
    (
        "el",
        [
            "Περιεχόμενα",
            "Εξώφυλλο",
            "Σελίδα τίτλου",
            "Αρχή του κειμένου",
            "Κατάλογος σελίδων",
            "Σημειώσεις",
            "Κεφάλαιο {}",
            "Σελίδα {}",
            "Πνευματικά δικαιώματα",
            "Έκδοση: {}",
            "συγγραφέας: {}",
            " και ",
            ", ",
            "ολοκληρώθηκε",
            "εκκρεμεί",
        ],
    ),
    (
        "tr",
        [
            "İçindekiler",
            "Kapak",
            "İç kapak",
            "Metnin başlangıcı",
            "Sayfa listesi",
            "Notlar",
            "{}. Bölüm",
            "Sayfa {}",
            "Künye",
            "Yayıncı: {}",
            "yazan: {}",
            " ve ",
            ", ",
            "tamamlandı",
            "tamamlanmadı",
        ],
    ),
    (
        "ar",
        [
            "المحتويات",
            "الغلاف",
            "صفحة العنوان",
            "بداية النص",
            "قائمة الصفحات",
            "الهوامش",
            "الفصل {}",
            "صفحة {}",
            "حقوق النشر",
            "الناشر: {}",
            "تأليف {}",
            " و",
            "، ",
            "تم",
            "لم يتم",
        ],
    ),
    (
        "he",
        [
            "תוכן העניינים",
            "כריכה",
            "שער",
            "תחילת הטקסט",
            "רשימת עמודים",
            "הערות",
            "פרק {}",
            "עמוד {}",
            "זכויות יוצרים",
            "הוצאה לאור: {}",
            "מאת {}",
            " ו",
            ", ",
            "בוצע",
            "לא בוצע",
        ],
    ),
    (
        "hi",
        [
            "विषय-सूची",
            "आवरण",
            "मुखपृष्ठ",
            "पाठ का आरंभ",
            "पृष्ठ सूची",
            "टिप्पणियाँ",
            "अध्याय {}",
            "पृष्ठ {}",
            "कॉपीराइट",
            "प्रकाशक: {}",
            "लेखक: {}",
            " और ",
            ", ",
            "पूर्ण",
            "अपूर्ण",
        ],
    ),
    (
        "zh-hans",
        [
            "目录",
            "封面",
            "扉页",
            "正文",
            "页码列表",
            "注释",
            "第{}章",
            "第{}页",
            "版权页",
            "{}出版",
            "{} 著",
            "、",
            "、",
            "已完成",
            "未完成",
        ],
    ),
    (
        "zh-hant",
        [
            "目錄",
            "封面",
            "扉頁",
            "正文",
            "頁碼列表",
            "註釋",
            "第{}章",
            "第{}頁",
            "版權頁",
            "{}出版",
            "{} 著",
            "、",
            "、",
            "已完成",
            "未完成",
        ],
    ),
    (
        "ja",
        [
            "目次",
            "表紙",
            "扉",
            "本文",
            "ページ一覧",
            "注",
            "第{}章",
            "{}ページ",
            "奥付",
            "発行：{}",
            "{} 著",
            "、",
            "、",
            "完了",
            "未完了",
        ],
    ),
    (
        "ko",
        [
            "차례",
            "표지",
            "속표지",
            "본문",
            "쪽 목록",
            "주",
            "제{}장",
            "{}쪽",
            "판권",
            "펴낸곳: {}",
            "{} 지음",
            ", ",
            ", ",
            "완료",
            "미완료",
        ],
    ),
    (
        "th",
        [
            "สารบัญ",
            "ปก",
            "หน้าปกใน",
            "เนื้อหา",
            "รายการหน้า",
            "เชิงอรรถ",
            "บทที่ {}",
            "หน้า {}",
            "ลิขสิทธิ์",
            "จัดพิมพ์โดย {}",
            "โดย {}",
            " และ ",
            ", ",
            "เสร็จแล้ว",
            "ยังไม่เสร็จ",
        ],
    ),
    (
        "hu",
        [
            "Tartalom",
            "Borító",
            "Címlap",
            "A szöveg kezdete",
            "Oldallista",
            "Jegyzetek",
            "{}. fejezet",
            "{}. oldal",
            "Impresszum",
            "Kiadó: {}",
            "írta: {}",
            " és ",
            ", ",
            "kész",
            "nincs kész",
        ],
    ),
    (
        "ro",
        [
            "Cuprins",
            "Copertă",
            "Pagina de titlu",
            "Începutul textului",
            "Lista paginilor",
            "Note",
            "Capitolul {}",
            "Pagina {}",
            "Drepturi de autor",
            "Editura: {}",
            "de {}",
            " și ",
            ", ",
            "făcut",
            "nefăcut",
        ],
    ),
    (
        "vi",
        [
            "Mục lục",
            "Bìa",
            "Trang tên sách",
            "Phần mở đầu",
            "Danh sách trang",
            "Chú thích",
            "Chương {}",
            "Trang {}",
            "Bản quyền",
            "Nhà xuất bản: {}",
            "tác giả: {}",
            " và ",
            ", ",
            "đã xong",
            "chưa xong",
        ],
    ),
    (
        "id",
        [
            "Daftar Isi",
            "Sampul",
            "Halaman Judul",
            "Awal teks",
            "Daftar halaman",
            "Catatan",
            "Bab {}",
            "Halaman {}",
            "Hak cipta",
            "Diterbitkan oleh {}",
            "oleh {}",
            " dan ",
            ", ",
            "selesai",
            "belum selesai",
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_and_their_variants_find_their_row() {
        assert_eq!(Labels::for_language("en").get(Label::Contents), "Contents");
        assert_eq!(Labels::for_language("de-AT").get(Label::Contents), "Inhalt");
        assert_eq!(Labels::for_language("ja").get(Label::Contents), "目次");
        assert_eq!(Labels::for_language("zh").get(Label::Contents), "目录");
        assert_eq!(Labels::for_language("zh-TW").get(Label::Contents), "目錄");
        assert_eq!(
            Labels::for_language("pt-BR").get(Label::Contents),
            "Sumário"
        );
        assert_eq!(Labels::for_language("pt-PT").get(Label::Contents), "Índice");
        assert_eq!(Labels::for_language("nn").get(Label::Contents), "Innhold");
        // Unknown: English.
        assert_eq!(Labels::for_language("kl").get(Label::Cover), "Cover");
        assert!(TABLE.len() >= 20, "{} languages", TABLE.len());
    }

    #[test]
    fn every_row_is_complete_and_patterns_have_their_slot() {
        for (lang, row) in TABLE {
            for label in Label::ALL {
                let text = row[label.column()];
                assert!(
                    !text.trim().is_empty() || label == Label::And,
                    "{lang} {label:?}"
                );
                assert_eq!(
                    text.contains("{}"),
                    label.is_pattern(),
                    "{lang} {label:?}: {text}"
                );
            }
        }
        let mut langs: Vec<&str> = TABLE.iter().map(|(l, _)| *l).collect();
        langs.sort_unstable();
        langs.dedup();
        assert_eq!(langs.len(), TABLE.len(), "one row per language");
    }

    #[test]
    fn patterns_lists_and_overrides() {
        let mut l = Labels::for_language("ja");
        assert_eq!(l.fill(Label::Chapter, "3"), "第3章");
        assert_eq!(l.list(&["A", "B", "C"]), "A、B、C");
        let en = Labels::default();
        assert_eq!(en.list(&["A", "B", "C"]), "A, B and C");
        assert_eq!(en.fill(Label::By, "Ann"), "by Ann");
        let overrides = [
            ("contents".to_string(), "もくじ".to_string()),
            ("chapter".to_string(), "Part".to_string()),
            ("contnets".to_string(), "x".to_string()),
        ]
        .into_iter()
        .collect();
        assert_eq!(l.apply(&overrides), ["contnets"]);
        assert_eq!(l.get(Label::Contents), "もくじ");
        // An override without `{}`: the value follows.
        assert_eq!(l.fill(Label::Chapter, "2"), "Part 2");
    }
}

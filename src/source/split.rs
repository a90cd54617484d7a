//! A book in one Markdown file, cut into chapters: at each of its top
//! headings (the shallowest level it uses, `#` in most books), as Pandoc
//! cuts an EPUB into chapter files. Text before the first such heading
//! (an epigraph, a dedication) is a chapter of its own.

use std::ops::Range;

/// The byte ranges of the chapters of `text`, whose body starts at `body`.
pub fn chapters(text: &str, body: usize) -> Vec<Range<usize>> {
    let starts: Vec<usize> = crate::markdown::top_heading_starts(&text[body..])
        .into_iter()
        .map(|s| body + s)
        .collect();
    let mut cuts = vec![body];
    cuts.extend(starts.iter().copied().filter(|&s| s > body));
    cuts.push(text.len());
    cuts.windows(2)
        .map(|w| w[0]..w[1])
        // Only blank lines before the first heading: no chapter of their own.
        .filter(|r| !text[r.clone()].trim().is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_at_the_shallowest_headings_outside_code() {
        let text = "meta\n\nEpigraph.\n\n# One\n\n## Inner\n\n```\n# not a heading\n```\n\n# Two\n\nEnd.\n";
        let parts: Vec<&str> = chapters(text, 6).into_iter().map(|r| &text[r]).collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], "Epigraph.\n\n");
        assert!(parts[1].starts_with("# One") && parts[1].contains("# not a heading"));
        assert_eq!(parts[2], "# Two\n\nEnd.\n");
        let only_sections = "## A\n\nx\n\n## B\n\ny\n";
        assert_eq!(chapters(only_sections, 0).len(), 2);
    }
}
